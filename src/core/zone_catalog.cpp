// The TZIDs of one VCALENDAR, and the process-wide cache of zones built from VTIMEZONE text.
#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

#include "core/libical_handles.hpp"
#include "core/vtimezone.hpp"
#include "core/windows_zones.hpp"

namespace calsync::ical {
namespace {

// Real calendars repeat a few VTIMEZONE texts in every resource (one per CalDAV object): a
// zone is built once per distinct text. Bounded in entries and in the text kept per entry;
// least recently used first out.
class DefinitionCache {
  public:
    static constexpr std::size_t kCapacity = 512;
    static constexpr std::size_t kMaxText = std::size_t{64} * 1024;

    ZonePtr find(const std::string& text) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = index_.find(text);
        if (it == index_.end())
            return nullptr;
        entries_.splice(entries_.begin(), entries_, it->second);
        return it->second->second;
    }

    // Keeps `zone` for `text`, unless another thread built it first: returns the one kept,
    // so every reader of one text shares one zone.
    ZonePtr put(const std::string& text, const ZonePtr& zone) {
        if (text.size() > kMaxText)
            return zone;
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = index_.find(text);
        if (it != index_.end())
            return it->second->second;
        entries_.emplace_front(text, zone);
        index_.emplace(entries_.front().first, entries_.begin());
        if (entries_.size() > kCapacity) {
            index_.erase(entries_.back().first);
            entries_.pop_back();
        }
        return zone;
    }

  private:
    using Entries = std::list<std::pair<std::string, ZonePtr>>;
    std::mutex mutex_;
    Entries entries_;
    std::unordered_map<std::string_view, Entries::iterator> index_;  // keys live in entries_
};

DefinitionCache& definition_cache() {
    static DefinitionCache cache;
    return cache;
}

// The same zones by the text their definitions were written in (as prepare_for_libical
// gives it), so that libical need not read a known one again.
DefinitionCache& written_cache() {
    static DefinitionCache cache;
    return cache;
}

std::string text_of(icalcomponent* c) {
    char* text = icalcomponent_as_ical_string_r(c);
    std::string out = text != nullptr ? text : "";
    icalmemory_free_buffer(text);
    return out;
}

// The zone `vtimezone` defines, built once per distinct text.
Result<ZonePtr> cached_zone(icalcomponent* vtimezone, const std::string& tzid) {
    std::string text = text_of(vtimezone);
    if (ZonePtr known = definition_cache().find(text))
        return known;
    auto built = zone_from_vtimezone(vtimezone, tzid, text);
    if (!built.ok())
        return built;
    return definition_cache().put(text, built.value());
}

// An IANA name, or a Windows name CLDR maps to one.
Result<ZonePtr> named_zone(const std::string& tzid) {
    auto iana = find_iana_zone(tzid);
    if (iana.ok())
        return iana;
    if (auto mapped = iana_from_windows(tzid)) {
        auto windows = find_iana_zone(*mapped);
        if (windows.ok())
            return windows;
    }
    return make_error(ErrorCode::unknown_zone,
                      "unknown TZID '" + tzid +
                          "': no VTIMEZONE in the calendar, not an IANA or a Windows zone name");
}

}  // namespace

Result<ZonePtr> zone_from_definition(const std::string& text) {
    if (ZonePtr known = definition_cache().find(text))
        return known;
    make_libical_errors_nonfatal();
    std::lock_guard<std::recursive_mutex> lock(libical_mutex());
    ComponentPtr root(icalparser_parse_string(text.c_str()));
    icalerror_clear_errno();
    if (!root || icalcomponent_isa(root.get()) != ICAL_VTIMEZONE_COMPONENT)
        return make_error(ErrorCode::parse, "a zone definition that is not a VTIMEZONE");
    icalproperty* tzid = icalcomponent_get_first_property(root.get(), ICAL_TZID_PROPERTY);
    const char* name = tzid != nullptr ? icalproperty_get_tzid(tzid) : nullptr;
    if (name == nullptr)
        return make_error(ErrorCode::parse, "a VTIMEZONE without TZID");
    auto built = zone_from_vtimezone(root.get(), name, text);
    if (!built.ok())
        return built;
    return definition_cache().put(text, built.value());
}

namespace {

// Where an offset of the text lies once the `removed` blocks (in text order) are cut out;
// asked for offsets in increasing order, so a whole list is shifted in one pass.
class OffsetShift {
  public:
    explicit OffsetShift(const std::vector<const TimeZoneBlock*>& removed) : removed_(removed) {}

    std::size_t operator()(std::size_t offset) {
        while (next_ < removed_.size() && removed_[next_]->end <= offset) {
            cut_ += removed_[next_]->end - removed_[next_]->begin;
            ++next_;
        }
        return offset - cut_;
    }

  private:
    const std::vector<const TimeZoneBlock*>& removed_;
    std::size_t next_ = 0;
    std::size_t cut_ = 0;
};

void shift_offsets(const std::vector<const TimeZoneBlock*>& removed, PreparedIcs* prepared) {
    std::vector<TimeZoneBlock> zones;
    OffsetShift zone_at(removed);
    auto next_removed = removed.begin();
    for (TimeZoneBlock& b : prepared->time_zones) {
        if (next_removed != removed.end() && *next_removed == &b) {
            ++next_removed;
            continue;
        }
        const std::size_t begin = zone_at(b.begin);
        zones.push_back({std::move(b.tzid), begin, zone_at(b.end)});
    }
    OffsetShift event_at(removed);
    for (std::size_t& e : prepared->events)
        e = event_at(e);
    prepared->time_zones = std::move(zones);
}

}  // namespace

ZoneTexts set_aside_known_zones(PreparedIcs* prepared) {
    ZoneTexts texts;
    const auto& blocks = prepared->time_zones;
    if (prepared->calendars != 1 || blocks.empty() ||
        std::any_of(blocks.begin(), blocks.end(),
                    [](const TimeZoneBlock& b) { return b.tzid.empty(); }))
        return texts;
    std::vector<const TimeZoneBlock*> known;
    for (const TimeZoneBlock& b : blocks) {
        std::string text = prepared->text.substr(b.begin, b.end - b.begin);
        ZonePtr zone = written_cache().find(text);
        const bool first = texts.known.count(b.tzid) == 0 && texts.unknown.count(b.tzid) == 0;
        if (first && zone)
            texts.known.emplace(b.tzid, zone);
        else if (first)
            texts.unknown.emplace(b.tzid, std::move(text));
        if (zone)
            known.push_back(&b);
    }
    if (known.empty())
        return texts;
    std::string rest;
    rest.reserve(prepared->text.size());
    std::size_t at = 0;
    for (const TimeZoneBlock* b : known) {
        rest.append(prepared->text, at, b->begin - at);
        at = b->end;
    }
    rest.append(prepared->text, at, std::string::npos);
    prepared->text = std::move(rest);
    shift_offsets(known, prepared);
    return texts;
}

// cppcheck-suppress passedByValue ; its maps are moved from
ZoneCatalog::ZoneCatalog(icalcomponent* vcalendar, ZoneTexts texts)
    : built_(std::move(texts.known)), written_(std::move(texts.unknown)) {
    if (vcalendar == nullptr)
        return;
    for (icalcomponent* c = icalcomponent_get_first_component(vcalendar, ICAL_VTIMEZONE_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(vcalendar, ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty* tzid = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
        if (tzid != nullptr && icalproperty_get_tzid(tzid) != nullptr)
            definitions_.emplace(icalproperty_get_tzid(tzid), c);
    }
}

Result<ZonePtr> ZoneCatalog::resolve(const std::string& tzid) {
    auto cached = built_.find(tzid);
    if (cached != built_.end())
        return cached->second;
    auto defined = definitions_.find(tzid);
    if (defined == definitions_.end()) {
        auto named = named_zone(tzid);
        if (named.ok())
            built_.emplace(tzid, named.value());
        return named;
    }
    auto zone = cached_zone(defined->second, tzid);
    if (zone.ok()) {
        auto written = written_.find(tzid);
        if (written != written_.end())
            written_cache().put(written->second, zone.value());
        built_.emplace(tzid, zone.value());
        return zone;
    }
    // A broken definition of a real IANA name still has a usable meaning.
    auto iana = find_iana_zone(tzid);
    if (!iana.ok())
        return zone;
    built_.emplace(tzid, iana.value());
    return iana;
}

}  // namespace calsync::ical
