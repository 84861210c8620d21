#include "core/ics_text.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "core/utf8.hpp"

namespace calsync::ical {
namespace {

constexpr std::size_t kFoldOctets = 75;  // RFC 5545 3.1: "SHOULD NOT be longer than 75 octets"

bool same_letters(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto up = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
        if (up(a[i]) != up(b[i]))
            return false;
    }
    return true;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// As libical reads a content line: the name ends at the first ';' or ':'.
std::string_view name_of(std::string_view line) {
    return trimmed(line.substr(0, line.find_first_of(";:")));
}

std::string_view value_of(std::string_view line) {
    const auto colon = line.find(':');
    return colon == std::string_view::npos ? std::string_view() : trimmed(line.substr(colon + 1));
}

enum class Kind { vcalendar, vevent, vtimezone, other };

Kind kind_of(std::string_view component) {
    if (same_letters(component, "VCALENDAR"))
        return Kind::vcalendar;
    if (same_letters(component, "VEVENT"))
        return Kind::vevent;
    if (same_letters(component, "VTIMEZONE"))
        return Kind::vtimezone;
    return Kind::other;
}

// A component directly inside a VCALENDAR (or a top-level one outside any): what is
// left out whole when something in it goes over a limit.
struct Unit {
    std::size_t depth = 0;  // the depth of its BEGIN
    std::size_t start = 0;  // where its BEGIN line starts in the output
    Kind kind = Kind::other;
    // cppcheck-suppress unusedStructMember ; read through std::optional<Unit>
    std::string name;          // the component's name, for messages
    std::size_t position = 0;  // a VEVENT's position among the text's VEVENTs, from 1
    // cppcheck-suppress unusedStructMember ; read through std::optional<Unit>
    std::string uid;
    // cppcheck-suppress unusedStructMember ; read through std::optional<Unit>
    std::string tzid;  // a VTIMEZONE's plain TZID (TimeZoneBlock)
    std::size_t tzids = 0;
    std::optional<std::string> left_out_because;
    bool reported_per_event = true;  // false: a cap, reported once for the whole text
};

class Preparer {
  public:
    Preparer(std::string_view text, const EventPropertiesRead& read) : text_(text), read_(read) {
        out_.text.reserve(text.size() + text.size() / 16);
    }

    PreparedIcs run() {
        std::string line;
        std::size_t length = 0;
        while (next_line(&line, &length))
            take(line, length);
        if (unit_)
            close_unit();  // a component the text never ends: libical decides what it is
        return std::move(out_);
    }

  private:
    // The next content line with its continuation lines (RFC 5545 3.1) unfolded, as libical
    // unfolds them; `line` keeps at most kMaxPropertyBytes + 1 octets, `length` counts all.
    bool next_line(std::string* line, std::size_t* length) {
        if (at_ >= text_.size())
            return false;
        line->clear();
        *length = 0;
        bool first = true;
        while (at_ < text_.size() && (first || text_[at_] == ' ' || text_[at_] == '\t')) {
            const std::size_t newline = text_.find('\n', at_);
            const std::size_t line_end = newline == std::string_view::npos ? text_.size() : newline;
            std::string_view physical = text_.substr(at_, line_end - at_);
            if (!physical.empty() && physical.back() == '\r')
                physical.remove_suffix(1);
            if (!first)
                physical.remove_prefix(1);
            *length += physical.size();
            if (line->size() <= kMaxPropertyBytes)
                line->append(physical.substr(0, kMaxPropertyBytes + 1 - line->size()));
            at_ = newline == std::string_view::npos ? text_.size() : newline + 1;
            first = false;
        }
        return true;
    }

    void take(std::string_view line, std::size_t length) {
        const std::string_view name = name_of(line);
        if (same_letters(name, "BEGIN"))
            begin(value_of(line), line);
        else if (same_letters(name, "END"))
            end(line);
        else
            property(name, line, length);
    }

    void begin(std::string_view component, std::string_view line) {
        ++depth_;
        if (unit_ && unit_->left_out_because)
            return;
        const Kind kind = kind_of(component);
        if (depth_ == 1 && kind == Kind::vcalendar) {
            in_calendar_ = true;
            ++out_.calendars;
        } else if (!unit_ && (depth_ == 2 || !in_calendar_)) {
            unit_ = Unit{depth_, out_.text.size(), kind, std::string(component), 0, {}, {}, 0, {}};
            if (kind == Kind::vevent)
                unit_->position = ++events_;
            if (++components_ > kMaxComponents) {
                leave_out_unit("the text holds more than " + std::to_string(kMaxComponents) +
                                   " components, the limit; the rest are left out",
                               false);
                return;
            }
        }
        if (depth_ > kMaxComponentDepth && unit_) {
            leave_out_unit("components nest deeper than " + std::to_string(kMaxComponentDepth) +
                               " levels, the limit",
                           true);
            return;
        }
        if (!inside_event())
            emit(line);
    }

    // In a component nested in a VEVENT (a VALARM), which the reader never reads.
    bool inside_event() const {
        return unit_ && unit_->kind == Kind::vevent && depth_ > unit_->depth;
    }

    bool read_in_event(std::string_view name) const {
        if (read_.names.empty())
            return true;
        if (read_.x_properties && name.size() > 2 && (name[0] == 'X' || name[0] == 'x') &&
            name[1] == '-')
            return true;
        return std::any_of(read_.names.begin(), read_.names.end(),
                           [&](std::string_view n) { return same_letters(name, n); });
    }

    void end(std::string_view line) {
        const bool nested_in_event = inside_event();
        if (depth_ > 0)
            --depth_;
        if (unit_ && depth_ < unit_->depth) {
            if (unit_->kind == Kind::vtimezone && !unit_->left_out_because)
                count_time_zone();
            const bool kept = !unit_->left_out_because;
            const bool zone_in_calendar = kept && unit_->kind == Kind::vtimezone && in_calendar_;
            const bool event_in_calendar = kept && unit_->kind == Kind::vevent && in_calendar_;
            const std::size_t start = unit_->start;
            std::string tzid = unit_->tzids == 1 ? std::move(unit_->tzid) : std::string();
            close_unit();
            if (kept)
                emit(line);
            if (zone_in_calendar)
                out_.time_zones.push_back({std::move(tzid), start, out_.text.size()});
            if (event_in_calendar)
                out_.events.push_back(start);
            return;
        }
        if (unit_ && unit_->left_out_because)
            return;
        if (depth_ == 0)
            in_calendar_ = false;
        if (!nested_in_event)
            emit(line);
    }

    void property(std::string_view name, std::string_view line, std::size_t length) {
        if (unit_ && unit_->kind == Kind::vevent && depth_ == unit_->depth &&
            same_letters(name, "UID") && length <= kMaxPropertyBytes)
            unit_->uid = utf8::replace_invalid(value_of(line));
        if (unit_ && unit_->kind == Kind::vtimezone && depth_ == unit_->depth &&
            same_letters(name, "TZID"))
            note_tzid(line);
        if (unit_ && unit_->left_out_because)
            return;
        if (inside_event() || (unit_ && unit_->kind == Kind::vevent && !read_in_event(name)))
            return;
        if (length > kMaxPropertyBytes) {
            const std::string why = utf8::replace_invalid(name.substr(0, 64)) + " of " +
                                    std::to_string(length) + " bytes is over the " +
                                    std::to_string(kMaxPropertyBytes) +
                                    "-byte limit for one iCalendar property";
            if (unit_)
                leave_out_unit(why, true);
            else
                out_.left_out.push_back({"", why + "; it is left out"});
            return;
        }
        emit(line);
    }

    // Only a value libical reads as it stands: no parameters, escapes or edge blanks.
    void note_tzid(std::string_view line) {
        ++unit_->tzids;
        const std::string_view value = line.substr(std::min(line.size(), std::size_t{5}));
        const bool plain = line.size() > 5 && line[4] == ':' && value == trimmed(value) &&
                           value.find('\\') == std::string_view::npos && utf8::is_valid(value);
        unit_->tzid = plain ? std::string(value) : std::string();
        if (!plain)
            unit_->tzids = 2;  // never plain
    }

    // Concatenated CalDAV objects repeat their VTIMEZONEs, which are built once
    // (zone_catalog.cpp's cache): only distinct definitions count against the limit.
    void count_time_zone() {
        std::string definition = out_.text.substr(unit_->start);
        if (time_zones_.count(definition) != 0)
            return;
        if (time_zones_.size() >= kMaxTimeZones) {
            leave_out_unit("the text defines more than " + std::to_string(kMaxTimeZones) +
                               " distinct VTIMEZONEs, the limit; the rest are left out",
                           false);
            return;
        }
        time_zones_.insert(std::move(definition));
    }

    // Whatever of the unit was written goes; the rest of it is read but not written.
    void leave_out_unit(std::string why, bool per_event) {
        out_.text.resize(unit_->start);
        unit_->left_out_because = std::move(why);
        unit_->reported_per_event = per_event;
    }

    // A VEVENT left out for what is in it is reported by its id; anything else once per
    // reason, since a text may hold thousands.
    void close_unit() {
        if (unit_->left_out_because) {
            if (unit_->kind == Kind::vevent && unit_->reported_per_event) {
                const std::string id =
                    unit_->uid.empty() ? "#" + std::to_string(unit_->position) : unit_->uid;
                out_.left_out.push_back({id, *unit_->left_out_because + "; the event is left out"});
            } else if (reported_.insert(*unit_->left_out_because).second) {
                const std::string what =
                    unit_->reported_per_event
                        ? utf8::replace_invalid(unit_->name.substr(0, 64)) + ": "
                        : std::string();
                out_.left_out.push_back({"", what + *unit_->left_out_because});
            }
        }
        unit_.reset();
    }

    // One content line, valid UTF-8, folded at 75 octets (never inside a UTF-8 sequence).
    void emit(std::string_view line) {
        std::string replaced;
        if (!utf8::is_valid(line)) {
            replaced = utf8::replace_invalid(line);
            line = replaced;
        }
        std::string& out = out_.text;
        std::size_t width = kFoldOctets;
        while (line.size() > width) {
            std::size_t cut = width;
            while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
                --cut;
            out.append(line.substr(0, cut));
            out.append("\r\n ");
            line.remove_prefix(cut);
            width = kFoldOctets - 1;  // the leading space counts
        }
        out.append(line);
        out.append("\r\n");
    }

    std::string_view text_;
    const EventPropertiesRead& read_;
    std::size_t at_ = 0;
    PreparedIcs out_;
    std::size_t depth_ = 0;
    bool in_calendar_ = false;
    std::optional<Unit> unit_;
    std::size_t events_ = 0;
    std::size_t components_ = 0;
    std::set<std::string> time_zones_;  // the distinct VTIMEZONE texts kept
    std::set<std::string> reported_;
};

}  // namespace

PreparedIcs prepare_for_libical(std::string_view text, const EventPropertiesRead& read) {
    return Preparer(text, read).run();
}

std::vector<std::string> cut_into_parts(const PreparedIcs& prepared, std::size_t parts) {
    const std::string& text = prepared.text;
    const std::vector<std::size_t>& events = prepared.events;
    const std::string_view begin = "BEGIN:VCALENDAR\r\n";
    const std::string_view end = "END:VCALENDAR\r\n";
    // What precedes the first VEVENT is in every part: at most one more text's worth in all,
    // so that a calendar of a huge header and few events is not parsed four times over.
    if (parts < 2 || prepared.calendars != 1 || events.size() < parts ||
        events.front() * (parts - 1) > text.size() || text.compare(0, begin.size(), begin) != 0 ||
        text.size() < end.size() || text.compare(text.size() - end.size(), end.size(), end) != 0 ||
        std::any_of(prepared.time_zones.begin(), prepared.time_zones.end(),
                    [&](const TimeZoneBlock& z) { return z.begin > events.front(); }))
        return {};
    std::vector<std::string> out(parts);
    for (std::size_t k = 0; k < parts; ++k) {
        const std::size_t from = k == 0 ? 0 : events[events.size() * k / parts];
        const std::size_t to =
            k + 1 < parts ? events[events.size() * (k + 1) / parts] : text.size();
        std::string& part = out[k];
        const std::size_t head = k == 0 ? 0 : events.front();
        part.reserve(head + (to - from) + end.size());
        part.append(text, 0, head);
        part.append(text, from, to - from);
        if (k + 1 < parts)
            part.append(end);
    }
    return out;
}

}  // namespace calsync::ical
