#include "core/json_read.hpp"

#include "core/bounded_json.hpp"
#include "core/edit_distance.hpp"

#include <algorithm>

namespace calsync::json::detail {

std::string child(const std::string& path, const char* name) {
    return path.empty() ? name : path + "." + name;
}
std::string item(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

bool read_string(const Value& v, const std::string& path, std::string* out, Problem* p) {
    if (!v.IsString())
        return p->fail(path, "expected a string");
    out->assign(v.GetString(), v.GetStringLength());
    return true;
}

bool read_bool(const Value& v, const std::string& path, bool* out, Problem* p) {
    if (!v.IsBool())
        return p->fail(path, "expected true or false");
    *out = v.GetBool();
    return true;
}

const Value* member(const Value& obj, const char* name) {
    if (KeyLedger* ledger = current_ledger())
        ledger->note(obj, name);
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

bool read_instant(const Value& v, const std::string& path, Instant* out, Problem* p) {
    if (!v.IsString())
        return p->fail(path, "expected an RFC 3339 string");
    auto t = parse_rfc3339(std::string_view(v.GetString(), v.GetStringLength()));
    if (!t.ok())
        return p->fail(path, t.error().message);
    *out = t.value();
    return true;
}

bool read_range(const Value& v, const std::string& path, TimeRange* out, Problem* p) {
    if (!v.IsObject())
        return p->fail(path, "expected an object {\"start\", \"end\"}");
    const Value* start = member(v, "start");
    const Value* end = member(v, "end");
    if (start == nullptr)
        return p->fail(child(path, "start"), "missing");
    if (end == nullptr)
        return p->fail(child(path, "end"), "missing");
    if (!read_instant(*start, child(path, "start"), &out->start, p) ||
        !read_instant(*end, child(path, "end"), &out->end, p))
        return false;
    if (out->end < out->start)
        return p->fail(path, "end is before start");
    return true;
}

bool read_string_array(const Value& v, const std::string& path, std::vector<std::string>* out,
                       Problem* p) {
    if (!v.IsArray())
        return p->fail(path, "expected an array of strings");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        std::string s;
        if (!read_string(v[i], item(path, i), &s, p))
            return false;
        out->push_back(std::move(s));
    }
    return true;
}

bool read_strings(const Value& obj, const std::string& path,
                  std::initializer_list<std::pair<const char*, std::string*>> fields, Problem* p) {
    for (const auto& [name, field] : fields) {
        if (const Value* v = member(obj, name)) {
            if (!read_string(*v, child(path, name), field, p))
                return false;
        }
    }
    return true;
}

Result<rapidjson::Document> parse_document(std::string_view text) {
    auto parsed = parse_bounded(text, InvalidUtf8::refuse);
    if (!parsed.ok()) {
        Error e = parsed.error();
        if (e.code == ErrorCode::parse) {
            e.code = ErrorCode::invalid_argument;
            e.message = "request is " + e.message;
        } else if (e.code == ErrorCode::limit_exceeded) {
            e.message = "request: " + e.message;
        }
        return e;
    }
    rapidjson::Document& doc = parsed.value();
    if (!doc.IsObject())
        return make_error(ErrorCode::invalid_argument, "request: expected a JSON object");
    if (const Value* version = member(doc, "version")) {
        if (!version->IsInt() || version->GetInt() != 1)
            return member_error("version", "this library reads version 1 requests");
    }
    return parsed;
}

Error invalid(const Problem& p) {
    return make_error(ErrorCode::invalid_argument, p.message);
}

void write_string(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_bool(Writer& w, const char* key, bool value) {
    w.Key(key);
    w.Bool(value);
}

void write_range(Writer& w, const TimeRange& r) {
    write_string(w, "start", format_rfc3339(r.start));
    write_string(w, "end", format_rfc3339(r.end));
}

void write_slot_source(Writer& w, const BlockedSlot& s) {
    write_string(w, "label", s.label);
    write_string(w, "event_id", s.event_id);
    write_string(w, "recurrence_id", format_rfc3339(s.recurrence_id));
    w.Key("all_day");
    w.Bool(s.all_day);
    w.Key("tentative");
    w.Bool(s.tentative);
}

void write_calendar_fields(Writer& w, const Calendar& c) {
    write_string(w, "id", c.id);
    write_string(w, "name", c.name);
    write_string(w, "color", c.color);
    write_string(w, "time_zone", c.time_zone);
    w.Key("can_write");
    w.Bool(c.can_write);
    w.Key("is_primary");
    w.Bool(c.is_primary);
    write_string(w, "owner", c.owner);
}

void write_policy(Writer& w, const CalendarPolicy& p) {
    w.Key("policy");
    w.StartObject();
    write_bool(w, "tentative_blocks", p.tentative_blocks);
    write_bool(w, "unanswered_blocks", p.unanswered_blocks);
    write_bool(w, "all_day_blocks", p.all_day_blocks);
    w.EndObject();
}

bool read_int(const Value& obj, const std::string& path, const char* name, std::int64_t min,
              std::int64_t max, std::int64_t* out, Problem* p) {
    const Value* v = member(obj, name);
    if (v == nullptr)
        return true;
    if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max)
        return p->fail(child(path, name), "expected a whole number from " + std::to_string(min) +
                                              " to " + std::to_string(max));
    *out = v->GetInt64();
    return true;
}

bool read_policy_flags(const Value& v, const std::string& path, CalendarPolicy* out, Problem* p) {
    if (!v.IsObject())
        return p->fail(path, "expected an object of flags");
    const std::pair<const char*, bool*> flags[] = {{"tentative_blocks", &out->tentative_blocks},
                                                   {"unanswered_blocks", &out->unanswered_blocks},
                                                   {"all_day_blocks", &out->all_day_blocks}};
    for (const auto& [name, field] : flags) {
        if (const Value* f = member(v, name)) {
            if (!read_bool(*f, child(path, name), field, p))
                return false;
        }
    }
    return true;
}

namespace {

// The ledger of the reading under way on this thread (per thread: readers run concurrently).
// NOLINTNEXTLINE(*-avoid-non-const-global-variables)
thread_local KeyLedger* t_ledger = nullptr;

// The known name closest to `name`, when it is close enough to be a slip of the keyboard.
std::optional<std::string> closest(const std::string& name, const std::set<std::string>& known) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (const std::string& k : known) {
        // A name cut short ("timeout" for "timeout_ms") is as good as one slip.
        const bool cut_short = name.size() >= 3 && k.rfind(name, 0) == 0;
        const std::size_t distance = cut_short ? 1 : edit_distance(name, k);
        if (distance < best_distance) {
            best = k;
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace

KeyLedger* current_ledger() {
    return t_ledger;
}

LedgerScope::LedgerScope() : outer_(t_ledger) {
    t_ledger = &ledger_;
}

LedgerScope::~LedgerScope() {
    t_ledger = outer_;
}

void KeyLedger::take_names(const Value& obj) {
    std::set<std::string>& names = asked_[&obj];
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it)
        names.emplace(it->name.GetString(), it->name.GetStringLength());
}

std::optional<std::string> KeyLedger::first_unknown(const Value& doc,
                                                    const std::string& what) const {
    return unknown_in(doc, "", what);
}

std::optional<std::string> KeyLedger::unknown_in(const Value& v, const std::string& path,
                                                 const std::string& what) const {
    if (whole_.count(&v) != 0)
        return std::nullopt;
    if (v.IsArray()) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            if (auto found = unknown_in(v[i], item(path, i), what))
                return found;
        }
        return std::nullopt;
    }
    if (!v.IsObject())
        return std::nullopt;
    static const std::set<std::string> kNone;
    const auto asked = asked_.find(&v);
    const std::set<std::string>& known = asked == asked_.end() ? kNone : asked->second;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        const std::string name(it->name.GetString(), it->name.GetStringLength());
        if (known.count(name) == 0) {
            std::string message = what + ": unknown member \"" + child(path, name.c_str()) + "\"";
            if (auto suggestion = closest(name, known))
                message += " (did you mean \"" + *suggestion + "\"?)";
            return message;
        }
        if (auto found = unknown_in(it->value, child(path, name.c_str()), what))
            return found;
    }
    return std::nullopt;
}

}  // namespace calsync::json::detail
