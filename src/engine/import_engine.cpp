#include <algorithm>
#include <tuple>

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

bool ImportEngine::HeldSlot::operator<(const HeldSlot& o) const {
    return std::tie(range.start, range.end, recurrence_id, all_day, tentative) <
           std::tie(o.range.start, o.range.end, o.recurrence_id, o.all_day, o.tentative);
}

bool ImportEngine::HeldSlot::operator==(const HeldSlot& o) const {
    return range == o.range && recurrence_id == o.recurrence_id && all_day == o.all_day &&
           tentative == o.tentative;
}

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
}

BlockedSlot ImportEngine::materialize(const EventSlots& owner, const HeldSlot& slot) const {
    BlockedSlot s;
    s.range = slot.range;
    s.calendar_id = owner.calendar_id;
    auto label = labels_.find(owner.calendar_id);
    s.label = label != labels_.end() ? label->second : owner.calendar_id;
    s.event_id = owner.event_id;
    s.recurrence_id = slot.recurrence_id;
    s.all_day = slot.all_day;
    s.tentative = slot.tentative;
    return s;
}

std::vector<ImportEngine::HeldSlot> ImportEngine::compute_slots(const Event& event,
                                                                std::string* error) const {
    std::vector<HeldSlot> computed;
    const CalendarPolicy& rules = policy_.for_calendar(event.calendar_id);
    // Free and cancelled series are common (holidays marked free, declined series); they
    // leave no slot, so their expansion is skipped.
    if (!may_block(event, rules))
        return computed;
    ExpansionWindow w;
    w.business_zone = zone_.get();
    w.window = policy_.window;
    auto occurrences = expand_event(event, w);
    if (!occurrences.ok()) {
        *error = occurrences.error().message;
        return computed;
    }
    computed.reserve(occurrences->size());
    for (const Occurrence& o : occurrences.value()) {
        // An instant-long event takes no bookable time.
        if (o.range.empty())
            continue;
        const BlockDecision d = decide_block(event, o, rules);
        if (!d.blocks)
            continue;
        computed.push_back(HeldSlot{o.range, o.recurrence_id, o.all_day, d.tentative});
    }
    return computed;
}

SlotDiff ImportEngine::upsert(const Event& event) {
    SlotDiff diff;
    std::string error;
    std::vector<HeldSlot> fresh = compute_slots(event, &error);
    EventSlots& held = by_event_[key(event.calendar_id, event.id)];
    held.calendar_id = event.calendar_id;
    held.event_id = event.id;
    // Slots present in both versions are left alone, so a one-instance change is one
    // interval out and one in.
    std::sort(fresh.begin(), fresh.end());
    std::vector<HeldSlot> removed;
    std::vector<HeldSlot> added;
    std::set_difference(held.slots.begin(), held.slots.end(), fresh.begin(), fresh.end(),
                        std::back_inserter(removed));
    std::set_difference(fresh.begin(), fresh.end(), held.slots.begin(), held.slots.end(),
                        std::back_inserter(added));
    for (const HeldSlot& s : removed) {
        timeline_->remove(s.range);
        diff.removed.push_back(materialize(held, s));
    }
    for (const HeldSlot& s : added) {
        timeline_->add(s.range);
        diff.added.push_back(materialize(held, s));
    }
    held.slots = std::move(fresh);
    held.error = std::move(error);
    return diff;
}

SlotDiff ImportEngine::remove(const std::string& calendar_id, const std::string& event_id) {
    SlotDiff diff;
    auto it = by_event_.find(key(calendar_id, event_id));
    if (it == by_event_.end())
        return diff;
    for (const HeldSlot& s : it->second.slots) {
        timeline_->remove(s.range);
        diff.removed.push_back(materialize(it->second, s));
    }
    by_event_.erase(it);
    return diff;
}

SlotDiff ImportEngine::remove_calendar(const std::string& calendar_id) {
    SlotDiff diff;
    for (auto it = by_event_.begin(); it != by_event_.end();) {
        if (it->second.calendar_id == calendar_id) {
            for (const HeldSlot& s : it->second.slots) {
                timeline_->remove(s.range);
                diff.removed.push_back(materialize(it->second, s));
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
        EventSlots& held = by_event_[key(e.calendar_id, e.id)];
        for (const HeldSlot& s : held.slots)
            timeline_->remove(s.range);
        held.calendar_id = e.calendar_id;
        held.event_id = e.id;
        held.error.clear();
        held.slots = compute_slots(e, &held.error);
        // Kept sorted, as upsert() diffs against it.
        std::sort(held.slots.begin(), held.slots.end());
        std::transform(held.slots.begin(), held.slots.end(), std::back_inserter(ranges),
                       [](const HeldSlot& s) { return s.range; });
    }
    timeline_->add_all(ranges);
}

std::vector<BlockedSlot> ImportEngine::slots() const {
    std::vector<BlockedSlot> all;
    all.reserve(slot_count());
    for (const auto& [k, held] : by_event_) {
        std::transform(held.slots.begin(), held.slots.end(), std::back_inserter(all),
                       [&](const HeldSlot& s) { return materialize(held, s); });
    }
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
        if (!held.error.empty())
            out.push_back({held.calendar_id, held.event_id, held.error});
    }
    std::sort(out.begin(), out.end(), [](const EventError& a, const EventError& b) {
        return std::tie(a.calendar_id, a.event_id) < std::tie(b.calendar_id, b.event_id);
    });
    return out;
}

}  // namespace calsync
