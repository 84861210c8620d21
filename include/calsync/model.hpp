// The common event model every provider normalises into and the engine reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/zone.hpp"

namespace calsync {

// A DTSTART/DTEND-like value: an all-day date, a UTC instant, a wall-clock time in a
// named zone, or a floating wall-clock time (read in the business's zone).
struct EventTime {
    enum class Kind { date, utc, zoned, floating };

    Kind kind = Kind::utc;
    CivilDateTime local;  // for `date` only local.date is meaningful
    std::string tzid;     // as written by the source, for `zoned`
    ZonePtr zone;         // resolved zone, for `zoned`

    static EventTime all_day(CivilDate d);
    static EventTime at_utc(Instant t);
    static EventTime in_zone(const CivilDateTime& local, ZonePtr zone, std::string tzid = {});
    static EventTime floating_time(const CivilDateTime& local);

    bool is_date() const { return kind == Kind::date; }
    // The instant this value denotes; `date` and `floating` values are read in `business`.
    Instant resolve(const TimeZone& business) const;
    bool operator==(const EventTime& o) const;
    bool operator!=(const EventTime& o) const { return !(*this == o); }
};

// RFC 5545 DURATION: days are nominal (wall-clock), seconds exact.
struct NominalDuration {
    std::int64_t days = 0;
    std::int64_t seconds = 0;
    bool operator==(const NominalDuration& o) const {
        return days == o.days && seconds == o.seconds;
    }
};

enum class EventStatus { confirmed, tentative, cancelled };
enum class Transparency { opaque, transparent };
// The calendar owner's answer to an invitation; `none` when the owner is not an attendee.
enum class Response { none, needs_action, accepted, tentative, declined };

const char* to_string(EventStatus s);
const char* to_string(Transparency t);
const char* to_string(Response r);

struct RecurrenceDate {
    EventTime start;
    std::optional<EventTime> end;  // RDATE;VALUE=PERIOD
};

struct Recurrence {
    std::vector<std::string> rrules;  // RRULE values, e.g. "FREQ=WEEKLY;BYDAY=MO"
    std::vector<RecurrenceDate> rdates;
    std::vector<EventTime> exdates;

    bool empty() const { return rrules.empty() && rdates.empty(); }
};

struct Event {
    std::string id;           // the source's identity of this event (href, provider id, UID)
    std::string uid;          // iCalendar UID
    std::string calendar_id;  // the calendar it came from
    std::string summary;
    std::string description;  // exports: client, service and vehicle; imports keep it too
    std::string location;
    EventTime start;
    std::optional<EventTime> end;
    std::optional<NominalDuration> duration;  // used when `end` is absent
    EventStatus status = EventStatus::confirmed;
    Transparency transparency = Transparency::opaque;
    Response owner_response = Response::none;
    std::string export_marker;  // the appointment id when calsync exported this event
    // Exports: which creation of the appointment's event this is (ExportRecord::generation).
    // A service whose create identity a deleted event may keep (Graph's transactionId)
    // derives it from this too, so an event made again is never answered with the old one.
    std::int64_t export_generation = 0;
    std::string etag;
    Recurrence recurrence;

    // Set on an override of one instance of a recurring event.
    std::optional<EventTime> recurrence_id;
    bool this_and_future = false;  // RECURRENCE-ID;RANGE=THISANDFUTURE

    std::vector<Event> overrides;  // on a master: its modified instances

    bool is_recurring() const { return !recurrence.empty(); }
};

struct Calendar {
    std::string id;
    std::string name;
    std::string color;
    std::string time_zone;
    bool can_write = false;
    bool is_primary = false;
    std::string owner;  // the owner's e-mail address, where the service names one (Graph)
};

enum class AppointmentStatus { booked, cancelled };

struct Appointment {
    std::string id;
    TimeRange time;
    std::string client;
    std::string service;
    std::string vehicle;
    std::string notes;
    AppointmentStatus status = AppointmentStatus::booked;
};

// Which of one calendar's events block slots (the engine applies it; a calendar's record
// in the store keeps it).
struct CalendarPolicy {
    bool tentative_blocks = true;   // tentative events and tentatively accepted invitations
    bool unanswered_blocks = true;  // invitations the owner has not answered (NEEDS-ACTION)
    bool all_day_blocks = true;
};

// One occurrence of an external event that customers cannot book.
struct BlockedSlot {
    TimeRange range;
    std::string calendar_id;
    std::string label;  // the source calendar's name, for the greyed-out UI
    std::string event_id;
    Instant recurrence_id;  // the occurrence's original start (its identity in the series)
    bool all_day = false;
    bool tentative = false;

    bool operator==(const BlockedSlot& o) const;
    bool operator<(const BlockedSlot& o) const;
};

// An event that could not be read; the rest of its calendar is still processed.
struct EventError {
    std::string calendar_id;
    std::string event_id;  // UID, or a position when the event has none
    std::string message;
};

}  // namespace calsync
