#include <algorithm>

#include "calsync/engine.hpp"
#include "engine/busy_timeline.hpp"

namespace calsync {

Result<ImportEngine> ImportEngine::create(BlockingPolicy policy) {
    auto zone = find_iana_zone(policy.business_zone);
    if (!zone.ok())
        return zone.error();
    if (policy.window.end < policy.window.start)
        return make_error(ErrorCode::invalid_argument, "window: end is before start");
    return ImportEngine(std::move(policy), zone.value());
}

ImportEngine::ImportEngine(BlockingPolicy policy, ZonePtr zone)
    : policy_(std::move(policy)), zone_(std::move(zone)), timeline_(new BusyTimeline) {}

ImportEngine::ImportEngine(ImportEngine&&) noexcept = default;
ImportEngine& ImportEngine::operator=(ImportEngine&&) noexcept = default;
ImportEngine::~ImportEngine() = default;

std::string ImportEngine::key(const std::string& calendar_id, const std::string& event_id) {
    std::string k;
    k.reserve(calendar_id.size() + event_id.size() + 1);
    k += calendar_id;
    k += '\x1f';  // a separator no id contains, so ("a","b/c") and ("a/b","c") differ
    k += event_id;
    return k;
}

void ImportEngine::set_calendar_label(const std::string& calendar_id, const std::string& label) {
    labels_[calendar_id] = label;
    // Slots already held carry the old label.
    for (auto& [k, held] : by_event_) {
        for (BlockedSlot& s : held.slots) {
            if (s.calendar_id == calendar_id)
                s.label = label;
        }
    }
}

std::vector<BlockedSlot> ImportEngine::compute_slots(const Event& event, std::string* error) const {
    std::vector<BlockedSlot> computed;
    ExpansionWindow w;
    w.business_zone = zone_.get();
    w.window = policy_.window;
    auto occurrences = expand_event(event, w);
    if (!occurrences.ok()) {
        *error = occurrences.error().message;
        return computed;
    }
    const CalendarPolicy& rules = policy_.for_calendar(event.calendar_id);
    auto label = labels_.find(event.calendar_id);
    const std::string& name = label != labels_.end() ? label->second : event.calendar_id;
    for (const Occurrence& o : occurrences.value()) {
        // An instant-long event takes no bookable time.
        if (o.range.empty())
            continue;
        const BlockDecision d = decide_block(event, o, rules);
        if (!d.blocks)
            continue;
        BlockedSlot s;
        s.range = o.range;
        s.calendar_id = event.calendar_id;
        s.label = name;
        s.event_id = event.id;
        s.recurrence_id = o.recurrence_id;
        s.all_day = o.all_day;
        s.tentative = d.tentative;
        computed.push_back(std::move(s));
    }
    return computed;
}

SlotDiff ImportEngine::upsert(const Event& event) {
    SlotDiff diff;
    EventSlots fresh;
    fresh.slots = compute_slots(event, &fresh.error);
    auto& held = by_event_[key(event.calendar_id, event.id)];
    // Slots present in both versions are left alone, so a one-instance change is one
    // interval out and one in.
    std::vector<BlockedSlot> before = std::move(held.slots);
    std::sort(before.begin(), before.end());
    std::sort(fresh.slots.begin(), fresh.slots.end());
    std::set_difference(before.begin(), before.end(), fresh.slots.begin(), fresh.slots.end(),
                        std::back_inserter(diff.removed));
    std::set_difference(fresh.slots.begin(), fresh.slots.end(), before.begin(), before.end(),
                        std::back_inserter(diff.added));
    for (const BlockedSlot& s : diff.removed)
        timeline_->remove(s.range);
    for (const BlockedSlot& s : diff.added)
        timeline_->add(s.range);
    held = std::move(fresh);
    return diff;
}

SlotDiff ImportEngine::remove(const std::string& calendar_id, const std::string& event_id) {
    SlotDiff diff;
    auto it = by_event_.find(key(calendar_id, event_id));
    if (it == by_event_.end())
        return diff;
    diff.removed = std::move(it->second.slots);
    for (const BlockedSlot& s : diff.removed)
        timeline_->remove(s.range);
    by_event_.erase(it);
    return diff;
}

SlotDiff ImportEngine::remove_calendar(const std::string& calendar_id) {
    SlotDiff diff;
    for (auto it = by_event_.begin(); it != by_event_.end();) {
        if (it->first.compare(0, calendar_id.size() + 1, calendar_id + '\x1f') == 0) {
            for (BlockedSlot& s : it->second.slots) {
                timeline_->remove(s.range);
                diff.removed.push_back(std::move(s));
            }
            it = by_event_.erase(it);
        } else {
            ++it;
        }
    }
    std::sort(diff.removed.begin(), diff.removed.end());
    return diff;
}

void ImportEngine::load(const std::vector<Event>& events) {
    std::vector<TimeRange> ranges;
    for (const Event& e : events) {
        const std::string k = key(e.calendar_id, e.id);
        auto existing = by_event_.find(k);
        if (existing != by_event_.end()) {
            for (const BlockedSlot& s : existing->second.slots)
                timeline_->remove(s.range);
        }
        EventSlots fresh;
        fresh.slots = compute_slots(e, &fresh.error);
        std::transform(fresh.slots.begin(), fresh.slots.end(), std::back_inserter(ranges),
                       [](const BlockedSlot& s) { return s.range; });
        by_event_[k] = std::move(fresh);
    }
    timeline_->add_all(ranges);
}

std::vector<BlockedSlot> ImportEngine::slots() const {
    std::vector<BlockedSlot> all;
    all.reserve(slot_count());
    for (const auto& [k, held] : by_event_)
        all.insert(all.end(), held.slots.begin(), held.slots.end());
    std::sort(all.begin(), all.end());
    return all;
}

std::size_t ImportEngine::slot_count() const {
    std::size_t n = 0;
    for (const auto& [k, held] : by_event_)
        n += held.slots.size();
    return n;
}

std::vector<TimeRange> ImportEngine::busy() const {
    return timeline_->merged();
}

std::vector<EventError> ImportEngine::errors() const {
    std::vector<EventError> out;
    for (const auto& [k, held] : by_event_) {
        if (held.error.empty())
            continue;
        const auto sep = k.find('\x1f');
        out.push_back({k.substr(0, sep), k.substr(sep + 1), held.error});
    }
    std::sort(out.begin(), out.end(), [](const EventError& a, const EventError& b) {
        return std::tie(a.calendar_id, a.event_id) < std::tie(b.calendar_id, b.event_id);
    });
    return out;
}

}  // namespace calsync
