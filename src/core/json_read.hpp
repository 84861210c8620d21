// Reading and writing the C ABI's JSON documents: the pieces every document shares. A
// structural mistake is reported once, with the path of the field it concerns.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/model.hpp"
#include "calsync/result.hpp"
#include "core/user_terms.hpp"

namespace calsync::json::detail {

using rapidjson::Value;

// The first structural mistake found, naming the member it concerns by its path.
struct Problem {
    std::string message;
    bool found = false;

    bool fail(const std::string& path, const std::string& what) {
        if (!found)
            message = member_message(path, what);
        found = true;
        return false;
    }
};

std::string child(const std::string& path, const char* name);
std::string item(const std::string& path, std::size_t i);
const Value* member(const Value& obj, const char* name);

bool read_string(const Value& v, const std::string& path, std::string* out, Problem* p);
bool read_bool(const Value& v, const std::string& path, bool* out, Problem* p);
bool read_instant(const Value& v, const std::string& path, Instant* out, Problem* p);
bool read_range(const Value& v, const std::string& path, TimeRange* out, Problem* p);
bool read_string_array(const Value& v, const std::string& path, std::vector<std::string>* out,
                       Problem* p);
// {"tentative_blocks", "unanswered_blocks", "all_day_blocks"}: those present replace `out`'s.
bool read_policy_flags(const Value& v, const std::string& path, CalendarPolicy* out, Problem* p);
// Member `name` of `obj`, when present, as a whole number in [min, max]. Bounded both ways:
// durations and counts far beyond any use would overflow the arithmetic they feed (an
// instant plus 2^63 seconds).
bool read_int(const Value& obj, const std::string& path, const char* name, std::int64_t min,
              std::int64_t max, std::int64_t* out, Problem* p);
// Every member of `obj` named in `fields` that is present, as a string.
bool read_strings(const Value& obj, const std::string& path,
                  std::initializer_list<std::pair<const char*, std::string*>> fields, Problem* p);

template <class Enum>
bool read_enum(const Value& v, const std::string& path, Enum* out,
               std::initializer_list<std::pair<const char*, Enum>> names, Problem* p) {
    std::string s;
    if (!read_string(v, path, &s, p))
        return false;
    std::string allowed;
    for (const auto& [name, value] : names) {
        if (s == name) {
            *out = value;
            return true;
        }
        allowed +=
            allowed.empty() ? std::string("\"") + name + "\"" : std::string(", \"") + name + "\"";
    }
    return p->fail(path, "unknown value \"" + s + "\"; expected one of " + allowed);
}

// A request document: valid JSON, an object, "version" 1 when present.
Result<rapidjson::Document> parse_document(std::string_view text);
Error invalid(const Problem& p);

// The members the readers of one host document asked for (member() notes each name it is
// asked, present or not), so that a member no reader asked for is refused rather than
// silently ignored: a misspelt "windw" would otherwise leave the default window in force.
// The readers stay the one list of what a document holds; read_document below installs a
// ledger around them.
class KeyLedger {
  public:
    void note(const Value& obj, const char* name) { asked_[&obj].insert(name); }
    // Every member name of `obj` is data, not a key of the format (a map keyed by
    // calendar id); its values are still checked.
    void take_names(const Value& obj);
    // `v` is passed on whole and read by another reader later (a connection's settings).
    void take_whole(const Value& v) { whole_.insert(&v); }
    // "<what>: unknown member "window.day_back" (did you mean "days_back"?)" for the first
    // member of `doc` (depth first) that no reader asked for, named by its path.
    std::optional<std::string> first_unknown(const Value& doc, const std::string& what) const;

  private:
    std::optional<std::string> unknown_in(const Value& v, const std::string& path,
                                          const std::string& what) const;
    std::map<const Value*, std::set<std::string>> asked_;
    std::set<const Value*> whole_;
};

// The ledger of the document being read on this thread, or nullptr outside read_document.
KeyLedger* current_ledger();

class LedgerScope {
  public:
    LedgerScope();
    ~LedgerScope();
    LedgerScope(const LedgerScope&) = delete;
    LedgerScope& operator=(const LedgerScope&) = delete;
    KeyLedger& ledger() { return ledger_; }

  private:
    KeyLedger ledger_;
    KeyLedger* outer_;
};

// Reads a host document: parse_document, then `read(doc)` (returning Result<T>), then
// refuses a member no reader asked for with CALSYNC_EINVAL naming it. `what` names the
// document in that message ("config", "connect request").
template <class Read>
auto read_document(std::string_view text, const char* what, Read&& read)
    -> decltype(read(std::declval<const rapidjson::Document&>())) {
    auto parsed = parse_document(text);
    LedgerScope scope;
    if (!parsed.ok())
        return parsed.error();
    const rapidjson::Document& doc = parsed.value();
    scope.ledger().note(doc, "version");  // read by parse_document, before the move
    auto result = read(doc);
    if (!result.ok())
        return result;
    if (auto unknown = scope.ledger().first_unknown(doc, what))
        return make_error(ErrorCode::invalid_argument, *unknown);
    return result;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, const char* key, const std::string& value);
void write_bool(Writer& w, const char* key, bool value);
void write_range(Writer& w, const TimeRange& r);
// A listed calendar's members (id, name, color, time_zone, can_write, is_primary, owner),
// into an object the caller opened.
void write_calendar_fields(Writer& w, const Calendar& c);

// What a blocked slot came from and how it blocks (label, event_id, recurrence_id, all_day,
// tentative): the members both slot documents share, into an object the caller opened.
void write_slot_source(Writer& w, const BlockedSlot& s);

// "policy": {"tentative_blocks", "unanswered_blocks", "all_day_blocks"}, as
// read_policy_flags reads it, into an object the caller opened.
void write_policy(Writer& w, const CalendarPolicy& p);

// A version-1 document: {"version": 1, ...the members `body` writes}.
template <class Body>
std::string write_document(Body&& body) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    body(w);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace calsync::json::detail
