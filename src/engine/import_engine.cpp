#include <algorithm>
#include <map>
#include <tuple>

#include "calsync/engine.hpp"
#include "core/parallel_parts.hpp"
#include "core/user_terms.hpp"
#include "engine/busy_timeline.hpp"

namespace calsync {

Result<ImportEngine> ImportEngine::create(BlockingPolicy policy) {
    auto zone = find_iana_zone(policy.business_zone);
    if (!zone.ok())
        return zone.error();
    if (policy.window.end < policy.window.start)
        return member_error("window", "end is before start");
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

ImportEngine::Expansion ImportEngine::compute_slots(const Event& event,
                                                    const OccurrenceCharge& calendar_left) const {
    Expansion x;
    const CalendarPolicy& rules = policy_.for_calendar(event.calendar_id);
    // Free and cancelled series are common (holidays marked free, declined series); they
    // leave no slot, so their expansion is skipped.
    if (!may_block(event, rules))
        return x;
    const OccurrenceLimits& limits = policy_.limits;
    // Expansion stops at the budget: an event over it costs the budget, never more.
    const std::size_t budget = std::min({limits.per_event, calendar_left.kept, calendar_left.work});
    const auto left_out = [&](const std::string& why) {
        x.capped = true;
        x.charged.work = budget;
        if (calendar_left.work < limits.per_event && calendar_left.work <= calendar_left.kept)
            x.error =
                "left out: its calendar's events already took the most expansion work one "
                "calendar may take in the sync window (" +
                std::to_string(limits.per_calendar_work) +
                " occurrences, most of them in events left out)";
        else if (calendar_left.kept < limits.per_event)
            x.error =
                "left out: its calendar already has the most occurrences one calendar "
                "may have in the sync window (" +
                std::to_string(limits.per_calendar) + ")";
        else
            x.error = why + "; left out: one event may have at most " +
                      std::to_string(limits.per_event) + " occurrences in the sync window";
    };
    if (budget == 0) {
        left_out("");
        return x;
    }
    ExpansionWindow w;
    w.business_zone = zone_.get();
    w.window = policy_.window;
    w.max_occurrences = budget;
    auto occurrences = expand_event(event, w);
    if (!occurrences.ok()) {
        if (occurrences.error().code == ErrorCode::limit_exceeded)
            left_out(occurrences.error().message);
        else
            x.error = occurrences.error().message;
        return x;
    }
    if (occurrences->size() > budget) {
        left_out("more than " + std::to_string(budget) + " occurrences in the window");
        return x;
    }
    x.charged = {occurrences->size(), occurrences->size()};
    x.slots.reserve(occurrences->size());
    for (const Occurrence& o : occurrences.value()) {
        // An instant-long event takes no bookable time.
        if (o.range.empty())
            continue;
        const BlockDecision d = decide_block(event, o, rules);
        if (!d.blocks)
            continue;
        x.slots.push_back(HeldSlot{o.range, o.recurrence_id, o.all_day, d.tentative});
    }
    return x;
}

ImportEngine::OccurrenceCharge ImportEngine::calendar_left(const std::string& calendar_id,
                                                           const EventSlots* held) const {
    auto it = charged_.find(calendar_id);
    OccurrenceCharge used = it != charged_.end() ? it->second : OccurrenceCharge{};
    if (held != nullptr) {
        used.kept -= held->charged.kept;
        used.work -= held->charged.work;
    }
    const auto left = [](std::size_t limit, std::size_t taken) {
        return taken < limit ? limit - taken : 0;
    };
    return {left(policy_.limits.per_calendar, used.kept),
            left(policy_.limits.per_calendar_work, used.work)};
}

void ImportEngine::settle(EventSlots& held, const Expansion& fresh) {
    OccurrenceCharge& used = charged_[held.calendar_id];
    used.kept = used.kept - held.charged.kept + fresh.charged.kept;
    used.work = used.work - held.charged.work + fresh.charged.work;
    held.charged = fresh.charged;
    held.error = fresh.error;
    held.capped = fresh.capped;
    auto& troubled = by_calendar_[held.calendar_id].troubled;
    if (held.error.empty())
        troubled.erase(held.event_id);
    else
        troubled[held.event_id] = &held;
}

ImportEngine::EventSlots& ImportEngine::held_for(const std::string& calendar_id,
                                                 const std::string& event_id) {
    auto [it, inserted] = by_event_.try_emplace(key(calendar_id, event_id));
    EventSlots& held = it->second;
    if (inserted) {
        held.calendar_id = calendar_id;
        held.event_id = event_id;
        by_calendar_[calendar_id].events.emplace(event_id, &held);
    }
    return held;
}

void ImportEngine::forget(EventSlots& held) {
    auto calendar = by_calendar_.find(held.calendar_id);
    if (calendar != by_calendar_.end()) {
        calendar->second.events.erase(held.event_id);
        calendar->second.troubled.erase(held.event_id);
        if (calendar->second.events.empty())
            by_calendar_.erase(calendar);
    }
    by_event_.erase(key(held.calendar_id, held.event_id));
}

namespace {

// Every field, so a slot that only changed calendar (a copy took over) or turned
// tentative counts as changed.
bool slot_less_all_fields(const BlockedSlot& a, const BlockedSlot& b) {
    return std::tie(a.range.start, a.range.end, a.calendar_id, a.event_id, a.recurrence_id, a.label,
                    a.all_day, a.tentative) < std::tie(b.range.start, b.range.end, b.calendar_id,
                                                       b.event_id, b.recurrence_id, b.label,
                                                       b.all_day, b.tentative);
}

SlotDiff diff_of(std::vector<BlockedSlot> before, std::vector<BlockedSlot> after) {
    std::sort(before.begin(), before.end(), slot_less_all_fields);
    std::sort(after.begin(), after.end(), slot_less_all_fields);
    SlotDiff diff;
    std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(diff.removed), slot_less_all_fields);
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(diff.added), slot_less_all_fields);
    return diff;
}

}  // namespace

void ImportEngine::join_uid(EventSlots& held, const std::string& uid) {
    if (held.uid == uid)
        return;
    leave_uid(held);
    held.uid = uid;
    if (uid.empty())
        return;
    Copies& copies = by_uid_[uid];
    copies.push_back(&held);
    held.copies = &copies;
    if (copies.size() == 2)
        ++shared_uids_;
}

void ImportEngine::leave_uid(EventSlots& held) {
    if (held.copies == nullptr)
        return;
    Copies& copies = *held.copies;
    copies.erase(std::find(copies.begin(), copies.end(), &held));
    if (copies.size() == 1)
        --shared_uids_;
    if (copies.empty())
        by_uid_.erase(held.uid);
    held.copies = nullptr;
    held.uid.clear();
}

std::vector<BlockedSlot> ImportEngine::shown(const Copies& copies) const {
    struct Candidate {
        const HeldSlot* slot;
        const EventSlots* owner;
    };
    std::vector<Candidate> all;
    for (const EventSlots* copy : copies)
        std::transform(copy->slots.begin(), copy->slots.end(), std::back_inserter(all),
                       [copy](const HeldSlot& s) {
                           return Candidate{&s, copy};
                       });
    // One slot per instance and range; the copy that ranks first shows it.
    auto rank = [](const Candidate& c) {
        return std::tie(c.slot->range.start, c.slot->range.end, c.slot->recurrence_id,
                        c.slot->tentative, c.owner->calendar_id, c.owner->event_id);
    };
    std::sort(all.begin(), all.end(),
              [&](const Candidate& a, const Candidate& b) { return rank(a) < rank(b); });
    std::vector<BlockedSlot> out;
    const Candidate* previous = nullptr;
    for (const Candidate& c : all) {
        if (previous != nullptr && previous->slot->range == c.slot->range &&
            previous->slot->recurrence_id == c.slot->recurrence_id)
            continue;
        out.push_back(materialize(*c.owner, *c.slot));
        previous = &c;
    }
    return out;
}

void ImportEngine::append_shown(const std::string& uid, const EventSlots* solo,
                                std::vector<BlockedSlot>* out) const {
    if (!uid.empty()) {
        auto group = by_uid_.find(uid);
        if (group != by_uid_.end()) {
            std::vector<BlockedSlot> group_slots = shown(group->second);
            out->insert(out->end(), group_slots.begin(), group_slots.end());
        }
        return;
    }
    if (solo != nullptr)
        std::transform(solo->slots.begin(), solo->slots.end(), std::back_inserter(*out),
                       [&](const HeldSlot& s) { return materialize(*solo, s); });
}

void ImportEngine::retime(EventSlots& held, std::vector<HeldSlot> fresh,
                          std::vector<HeldSlot>* removed, std::vector<HeldSlot>* added) {
    // Slots present in both versions are left alone, so a one-instance change is one
    // interval out and one in.
    std::set_difference(held.slots.begin(), held.slots.end(), fresh.begin(), fresh.end(),
                        std::back_inserter(*removed));
    std::set_difference(fresh.begin(), fresh.end(), held.slots.begin(), held.slots.end(),
                        std::back_inserter(*added));
    for (const HeldSlot& s : *removed)
        timeline_->remove(s.range);
    for (const HeldSlot& s : *added)
        timeline_->add(s.range);
    held.slots = std::move(fresh);
}

SlotDiff ImportEngine::upsert(const Event& event) {
    EventSlots& held = held_for(event.calendar_id, event.id);
    // The version replaced no longer counts against its calendar.
    Expansion expansion = compute_slots(event, calendar_left(event.calendar_id, &held));
    settle(held, expansion);
    std::vector<HeldSlot> fresh = std::move(expansion.slots);
    std::sort(fresh.begin(), fresh.end());
    auto joining = event.uid.empty() ? by_uid_.end() : by_uid_.find(event.uid);
    const bool joins_copies = joining != by_uid_.end() && joining->second.size() > 1;
    const bool joins_other = joining != by_uid_.end() && joining->second.front() != &held;
    std::vector<HeldSlot> removed;
    std::vector<HeldSlot> added;
    if (!has_copies(held) && !joins_copies && !joins_other) {
        // The common case: no other calendar holds this event, its slots are its own.
        retime(held, std::move(fresh), &removed, &added);
        join_uid(held, event.uid);
        SlotDiff diff;
        for (const HeldSlot& s : removed)
            diff.removed.push_back(materialize(held, s));
        for (const HeldSlot& s : added)
            diff.added.push_back(materialize(held, s));
        return diff;
    }
    // Copies elsewhere: what shows is decided over all of them, before and after.
    const std::string old_uid = held.uid;
    std::vector<BlockedSlot> before;
    append_shown(old_uid, &held, &before);
    if (event.uid != old_uid)
        append_shown(event.uid, nullptr, &before);
    retime(held, std::move(fresh), &removed, &added);
    join_uid(held, event.uid);
    std::vector<BlockedSlot> after;
    append_shown(event.uid, &held, &after);
    if (event.uid != old_uid)
        append_shown(old_uid, nullptr, &after);
    return diff_of(std::move(before), std::move(after));
}

SlotDiff ImportEngine::remove(const std::string& calendar_id, const std::string& event_id) {
    SlotDiff diff;
    auto it = by_event_.find(key(calendar_id, event_id));
    if (it == by_event_.end())
        return diff;
    EventSlots& held = it->second;
    for (const HeldSlot& s : held.slots)
        timeline_->remove(s.range);
    OccurrenceCharge& used = charged_[held.calendar_id];
    used.kept -= held.charged.kept;
    used.work -= held.charged.work;
    if (!has_copies(held)) {
        for (const HeldSlot& s : held.slots)
            diff.removed.push_back(materialize(held, s));
        leave_uid(held);
        forget(held);
        return diff;
    }
    const std::string uid = held.uid;
    std::vector<BlockedSlot> before = shown(*held.copies);
    leave_uid(held);
    forget(held);
    std::vector<BlockedSlot> after;
    append_shown(uid, nullptr, &after);
    return diff_of(std::move(before), std::move(after));
}

SlotDiff ImportEngine::remove_calendar(const std::string& calendar_id) {
    SlotDiff diff;
    charged_.erase(calendar_id);
    auto calendar = by_calendar_.find(calendar_id);
    if (calendar == by_calendar_.end())
        return diff;
    const auto& events = calendar->second.events;
    // The UIDs whose slots may stay on through another calendar's copy.
    std::vector<std::string> shared;
    for (const auto& entry : events)
        if (has_copies(*entry.second))
            shared.push_back(entry.second->uid);
    std::sort(shared.begin(), shared.end());
    shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
    std::vector<BlockedSlot> before;
    for (const std::string& uid : shared)
        append_shown(uid, nullptr, &before);
    for (const auto& entry : events) {
        EventSlots& held = *entry.second;
        for (const HeldSlot& s : held.slots)
            timeline_->remove(s.range);
        if (!std::binary_search(shared.begin(), shared.end(), held.uid))
            for (const HeldSlot& s : held.slots)
                diff.removed.push_back(materialize(held, s));
        leave_uid(held);
        by_event_.erase(key(calendar_id, entry.first));
    }
    by_calendar_.erase(calendar);
    std::vector<BlockedSlot> after;
    for (const std::string& uid : shared)
        append_shown(uid, nullptr, &after);
    SlotDiff copies = diff_of(std::move(before), std::move(after));
    diff.removed.insert(diff.removed.end(), copies.removed.begin(), copies.removed.end());
    diff.added = std::move(copies.added);
    std::sort(diff.removed.begin(), diff.removed.end());
    std::sort(diff.added.begin(), diff.added.end());
    return diff;
}

std::vector<BlockedSlot> ImportEngine::shown_around(const std::string& calendar_id,
                                                    const std::vector<std::string>& uids) const {
    std::vector<BlockedSlot> out;
    const auto own = [&](const EventSlots& held) {
        std::transform(held.slots.begin(), held.slots.end(), std::back_inserter(out),
                       [&](const HeldSlot& s) { return materialize(held, s); });
    };
    auto calendar = by_calendar_.find(calendar_id);
    if (calendar != by_calendar_.end())
        for (const auto& entry : calendar->second.events)
            if (entry.second->uid.empty())
                own(*entry.second);
    // As slots() shows them: a UID held once shows its event's slots as they are.
    for (const std::string& uid : uids) {
        auto group = by_uid_.find(uid);
        if (group == by_uid_.end())
            continue;
        if (group->second.size() == 1)
            own(*group->second.front());
        else
            append_shown(uid, nullptr, &out);
    }
    return out;
}

SlotDiff ImportEngine::replace_calendar(const std::string& calendar_id,
                                        const std::vector<Event>& events) {
    // Only this calendar's events and the UIDs they share can change what shows.
    std::vector<std::string> uids;
    auto calendar = by_calendar_.find(calendar_id);
    if (calendar != by_calendar_.end())
        for (const auto& entry : calendar->second.events)
            if (!entry.second->uid.empty())
                uids.push_back(entry.second->uid);
    for (const Event& e : events)
        if (!e.uid.empty())
            uids.push_back(e.uid);
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    std::vector<BlockedSlot> before = shown_around(calendar_id, uids);
    remove_calendar(calendar_id);
    load(events);
    return diff_of(std::move(before), shown_around(calendar_id, uids));
}

void ImportEngine::set_calendar_policy(const std::string& calendar_id,
                                       const CalendarPolicy& policy) {
    policy_.calendars[calendar_id] = policy;
}

std::vector<BlockedSlot> ImportEngine::calendar_slots(const std::string& calendar_id) const {
    std::vector<BlockedSlot> out;
    auto calendar = by_calendar_.find(calendar_id);
    if (calendar == by_calendar_.end())
        return out;
    std::vector<std::string> shared;
    for (const auto& entry : calendar->second.events) {
        const EventSlots& held = *entry.second;
        if (has_copies(held)) {
            shared.push_back(held.uid);
            continue;
        }
        std::transform(held.slots.begin(), held.slots.end(), std::back_inserter(out),
                       [&](const HeldSlot& s) { return materialize(held, s); });
    }
    std::sort(shared.begin(), shared.end());
    shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
    for (const std::string& uid : shared)
        for (BlockedSlot& s : shown(by_uid_.at(uid)))
            if (s.calendar_id == calendar_id)
                out.push_back(std::move(s));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::optional<ImportEngine::Expansion>> ImportEngine::expand_ahead(
    const std::vector<Event>& events) const {
    std::vector<std::optional<Expansion>> ahead(events.size());
    const std::size_t parts = parts_for(events.size(), kExpandAheadFrom, kMaxExpandThreads);
    if (parts < 2)
        return ahead;
    // As if each event's calendar had at least one event's worth left: what compute_slots
    // gives whenever that holds, which load() checks before it takes one.
    const OccurrenceCharge plenty{policy_.limits.per_event, policy_.limits.per_event};
    run_in_parts(events.size(), parts, [&](std::size_t, std::size_t first, std::size_t end) {
        // A part works no more for a calendar than the calendar may work in all, so what is
        // held ahead stays within the parts' count of the one-by-one bound; the rest of
        // that calendar's events are expanded in load().
        std::map<std::string, std::size_t> worked;
        for (std::size_t i = first; i < end; ++i) {
            std::size_t& spent = worked[events[i].calendar_id];
            if (spent >= policy_.limits.per_calendar_work)
                continue;
            ahead[i] = compute_slots(events[i], plenty);
            spent += ahead[i]->charged.work;
        }
    });
    return ahead;
}

void ImportEngine::load(const std::vector<Event>& events) {
    // A large batch (a first sync, a full resync) is expanded on a few threads first; the
    // budgets are then settled in order, as one by one.
    std::vector<std::optional<Expansion>> ahead = expand_ahead(events);
    std::vector<TimeRange> ranges;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        EventSlots& held = held_for(e.calendar_id, e.id);
        for (const HeldSlot& s : held.slots)
            timeline_->remove(s.range);
        const OccurrenceCharge left = calendar_left(e.calendar_id, &held);
        const bool plenty_left =
            left.kept >= policy_.limits.per_event && left.work >= policy_.limits.per_event;
        Expansion expansion =
            ahead[i] && plenty_left ? std::move(*ahead[i]) : compute_slots(e, left);
        settle(held, expansion);
        held.slots = std::move(expansion.slots);
        join_uid(held, e.uid);
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
    for (const auto& entry : by_event_) {
        // Not a structured binding: clang 14 (the fuzz preset) cannot capture one.
        const EventSlots& held = entry.second;
        if (has_copies(held))
            continue;
        std::transform(held.slots.begin(), held.slots.end(), std::back_inserter(all),
                       [&](const HeldSlot& s) { return materialize(held, s); });
    }
    for (auto it = by_uid_.begin(); shared_uids_ > 0 && it != by_uid_.end(); ++it)
        if (it->second.size() > 1)
            append_shown(it->first, nullptr, &all);
    std::sort(all.begin(), all.end());
    return all;
}

std::size_t ImportEngine::slot_count() const {
    std::size_t n = 0;
    for (const auto& [k, held] : by_event_)
        n += has_copies(held) ? 0 : held.slots.size();
    for (auto it = by_uid_.begin(); shared_uids_ > 0 && it != by_uid_.end(); ++it)
        n += it->second.size() > 1 ? shown(it->second).size() : 0;
    return n;
}

std::vector<TimeRange> ImportEngine::busy() const {
    return timeline_->merged();
}

std::vector<EventError> ImportEngine::errors() const {
    return listed(false);
}

std::vector<EventError> ImportEngine::capped() const {
    return listed(true);
}

std::vector<EventError> ImportEngine::listed(bool capped) const {
    std::vector<EventError> out;
    for (const auto& [k, held] : by_event_) {
        if (!held.error.empty() && held.capped == capped)
            out.push_back({held.calendar_id, held.event_id, held.error});
    }
    std::sort(out.begin(), out.end(), [](const EventError& a, const EventError& b) {
        return std::tie(a.calendar_id, a.event_id) < std::tie(b.calendar_id, b.event_id);
    });
    return out;
}

std::vector<EventError> ImportEngine::errors(const std::string& calendar_id) const {
    return listed(calendar_id, false);
}

std::vector<EventError> ImportEngine::capped(const std::string& calendar_id) const {
    return listed(calendar_id, true);
}

std::vector<EventError> ImportEngine::listed(const std::string& calendar_id, bool capped) const {
    std::vector<EventError> out;
    auto calendar = by_calendar_.find(calendar_id);
    if (calendar == by_calendar_.end())
        return out;
    for (const auto& [id, held] : calendar->second.troubled)
        if (held->capped == capped)
            out.push_back({held->calendar_id, held->event_id, held->error});
    return out;
}

}  // namespace calsync
