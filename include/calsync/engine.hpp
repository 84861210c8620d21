// The pure import engine: events + policy -> blocked slots and merged busy intervals.
// No I/O and no clock: the window (and so "now") is part of the policy.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "calsync/model.hpp"
#include "calsync/recurrence.hpp"
#include "calsync/result.hpp"

namespace calsync {

// How many occurrences (inside the window, before the blocking rules) the engine expands
// and keeps, so that a few kilobytes of rules cannot fill memory or time: 500 events of
// FREQ=HOURLY;COUNT=19999 are 4.4 million slots. An event is expanded with a budget of
// min(per_event, what its calendar may still keep, what its calendar may still work);
// expansion stops there. An event over its budget is left out whole (listed by capped(),
// blocking nothing): what it cost counts against its calendar's work (per_calendar_work),
// not against what the calendar keeps (per_calendar), so a few such events do not push the
// calendar's ordinary events out; only a calendar with more than per_calendar_work /
// per_event (25) of them loses the rest; per_calendar_work also keeps a fuzzing build
// (ASan, UBSan, coverage) of a 54 KB calendar of hourly series under a second.
// per_event: an hourly series over the default window
// (366 days) is 8,784 occurrences; no calendar a business keeps has a series busier than
// that for a year.
struct OccurrenceLimits {
    std::size_t per_event = 10'000;
    std::size_t per_calendar = 50'000;        // kept in one calendar
    std::size_t per_calendar_work = 250'000;  // expanded in one calendar, kept or not
};

struct BlockingPolicy {
    std::string business_zone = "UTC";  // IANA name; all-day and floating times live here
    TimeRange window;
    CalendarPolicy defaults;
    std::map<std::string, CalendarPolicy> calendars;  // per calendar id, overriding defaults
    OccurrenceLimits limits;

    const CalendarPolicy& for_calendar(const std::string& calendar_id) const;
};

// Whether one occurrence blocks, and if so whether it is shown as tentative.
struct BlockDecision {
    bool blocks = false;
    bool tentative = false;
};
BlockDecision decide_block(const Event& event, const Occurrence& occurrence,
                           const CalendarPolicy& policy);
// False when no occurrence of `event` (master or override) can block under `policy`, so
// the engine need not expand it at all (a transparent or cancelled series, our exports).
bool may_block(const Event& event, const CalendarPolicy& policy);

struct SlotDiff {
    std::vector<BlockedSlot> added;
    std::vector<BlockedSlot> removed;
};

class BusyTimeline;

// Keeps the slots of every event it has been given; changing one event re-expands only
// that event and updates the merged busy intervals locally.
//
// One external calendar reached through two accounts (two calendar ids) blocks once: the
// copies of an event share its iCalendar UID, and slots() shows one slot per UID, instance
// (recurrence id) and range, taken from the copy that ranks first (firm before tentative,
// then by calendar id, then event id). Copies that disagree (one account synced a move,
// the other not yet) show both ranges until they agree, so nothing is ever under-blocked.
// Events without a UID are never merged. The diffs follow slots(): a slot leaves only
// when its last copy goes; when the copy it was shown from goes and another stays, the
// diff removes it and adds the other copy's (same range, new calendar and label).
class ImportEngine {
  public:
    static Result<ImportEngine> create(BlockingPolicy policy);
    ImportEngine(ImportEngine&&) noexcept;
    ImportEngine& operator=(ImportEngine&&) noexcept;
    ~ImportEngine();

    const BlockingPolicy& policy() const { return policy_; }
    // The label shown on slots of this calendar; defaults to the calendar id.
    void set_calendar_label(const std::string& calendar_id, const std::string& label);

    // Adds or replaces one event (keyed by calendar_id + id). An event that cannot be read
    // leaves no slot, replaces any earlier version, and is listed by errors().
    SlotDiff upsert(const Event& event);
    SlotDiff remove(const std::string& calendar_id, const std::string& event_id);
    // Drops every event of a calendar (a disconnect, or a full resync about to refill it).
    // `added` holds the slots now shown from another calendar's copy (see above).
    SlotDiff remove_calendar(const std::string& calendar_id);
    // Adds many events at once; cheaper than upsert() one by one for a fresh calendar.
    void load(const std::vector<Event>& events);
    // Replaces every event of a calendar with `events` (a full resync, or its policy
    // changed): the exact difference in slots(), at a cost in that calendar's events and
    // their copies, not in the other calendars'.
    SlotDiff replace_calendar(const std::string& calendar_id, const std::vector<Event>& events);
    // The rules for one calendar from now on; its events keep their slots until they are
    // given again (replace_calendar).
    void set_calendar_policy(const std::string& calendar_id, const CalendarPolicy& policy);

    // Every slot, sorted by start then calendar and event.
    std::vector<BlockedSlot> slots() const;
    std::size_t slot_count() const;
    // Merged, sorted, disjoint busy intervals.
    std::vector<TimeRange> busy() const;
    // Events that could not be read (a broken RRULE, an unknown zone).
    std::vector<EventError> errors() const;
    // Events left out for the occurrence limits (policy().limits); the message names the
    // limit. Sorted by calendar, then event.
    std::vector<EventError> capped() const;
    // The same for one calendar, at a cost in its troubled events only (a sync reports
    // them after every calendar read).
    std::vector<EventError> errors(const std::string& calendar_id) const;
    std::vector<EventError> capped(const std::string& calendar_id) const;
    // What slots() shows from one calendar, in the same order, at a cost in that
    // calendar's events and their copies.
    std::vector<BlockedSlot> calendar_slots(const std::string& calendar_id) const;

  private:
    explicit ImportEngine(BlockingPolicy policy, ZonePtr zone);
    // A slot as held: the strings shared by every slot of an event live once, in
    // EventSlots, and are copied into BlockedSlot only when slots are handed out.
    struct HeldSlot {
        TimeRange range;
        Instant recurrence_id;
        bool all_day = false;
        bool tentative = false;
        bool operator<(const HeldSlot& o) const;
        bool operator==(const HeldSlot& o) const;
    };
    // Occurrences counted against a calendar's limits (OccurrenceLimits).
    struct OccurrenceCharge {
        std::size_t kept = 0;  // slots an event keeps
        std::size_t work = 0;  // occurrences expanded, kept or not
    };
    struct EventSlots;
    // The events sharing one UID (copies of one event in several calendars).
    using Copies = std::vector<EventSlots*>;
    struct EventSlots {
        std::string calendar_id;
        std::string event_id;
        std::string uid;
        std::vector<HeldSlot> slots;  // sorted
        std::string error;
        bool capped = false;       // `error` says which occurrence limit left it out
        OccurrenceCharge charged;  // counted against its calendar
        Copies* copies = nullptr;  // by_uid_[uid] when uid is set; this event included
    };
    // One event's slots, and what working them out cost its calendar.
    struct Expansion {
        std::vector<HeldSlot> slots;  // unsorted
        std::string error;
        bool capped = false;
        OccurrenceCharge charged;
    };
    // `calendar_left`: occurrences its calendar may still keep and expand.
    Expansion compute_slots(const Event& event, const OccurrenceCharge& calendar_left) const;
    // For a batch of at least kExpandAheadFrom events on a machine of several cores: each
    // event's expansion as compute_slots gives it when its calendar has per_event left,
    // worked out on up to kMaxExpandThreads threads; otherwise none.
    static constexpr std::size_t kExpandAheadFrom = 512;
    static constexpr std::size_t kMaxExpandThreads = 4;
    std::vector<std::optional<Expansion>> expand_ahead(const std::vector<Event>& events) const;
    // What `calendar_id` may still keep and expand once `held` (being replaced) no longer
    // counts.
    OccurrenceCharge calendar_left(const std::string& calendar_id, const EventSlots* held) const;
    // Records `fresh`'s cost and outcome on `held` and its calendar.
    void settle(EventSlots& held, const Expansion& fresh);
    std::vector<EventError> listed(bool capped) const;
    std::vector<EventError> listed(const std::string& calendar_id, bool capped) const;
    // The entry of by_event_ for (calendar, event id), indexed in by_calendar_ when new.
    EventSlots& held_for(const std::string& calendar_id, const std::string& event_id);
    // Erases one event from by_event_ and by_calendar_ (its slots already dealt with).
    void forget(EventSlots& held);
    // What slots() shows from `calendar_id`'s events without a UID and from every UID of
    // `uids` (sorted, unique), unsorted.
    std::vector<BlockedSlot> shown_around(const std::string& calendar_id,
                                          const std::vector<std::string>& uids) const;
    BlockedSlot materialize(const EventSlots& owner, const HeldSlot& slot) const;
    static std::string key(const std::string& calendar_id, const std::string& event_id);
    // Replaces held.slots with `fresh` (sorted) in the timeline; reports what changed.
    void retime(EventSlots& held, std::vector<HeldSlot> fresh, std::vector<HeldSlot>* removed,
                std::vector<HeldSlot>* added);
    static bool has_copies(const EventSlots& held) {
        return held.copies != nullptr && held.copies->size() > 1;
    }
    void join_uid(EventSlots& held, const std::string& uid);
    void leave_uid(EventSlots& held);
    // The slots one UID's copies show, deduplicated.
    std::vector<BlockedSlot> shown(const Copies& copies) const;
    // Appends what `uid`'s copies show, or `solo`'s own slots when it has no UID.
    void append_shown(const std::string& uid, const EventSlots* solo,
                      std::vector<BlockedSlot>* out) const;

    BlockingPolicy policy_;
    ZonePtr zone_;
    std::unordered_map<std::string, std::string> labels_;
    std::unordered_map<std::string, EventSlots> by_event_;  // nodes never move: Copies
                                                            // point into it
    std::unordered_map<std::string, Copies> by_uid_;
    // Per calendar id: its events, and those of them with an error (by event id, so
    // listed in order), so that nothing about one calendar walks the others.
    struct CalendarEvents {
        std::unordered_map<std::string, EventSlots*> events;  // by event id
        std::map<std::string, const EventSlots*> troubled;    // error set, by event id
    };
    std::unordered_map<std::string, CalendarEvents> by_calendar_;
    std::unordered_map<std::string, OccurrenceCharge> charged_;  // per calendar: sum of charged
    std::size_t shared_uids_ = 0;                                // UIDs with more than one copy
    std::unique_ptr<BusyTimeline> timeline_;
};

}  // namespace calsync
