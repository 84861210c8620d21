// Google Calendar Event resources (JSON) <-> calsync::Event. Google JSON stays inside
// providers/google: the rest of calsync sees only the model.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync::providers::google {

// The extendedProperties.private key of every export; its value is the appointment id.
// Private properties belong to this calendar's copy only, so attendees never see it.
constexpr const char* kMarkerProperty = "calsyncAppointmentId";

// One item of an events.list page (or an events.get answer), normalised.
struct GoogleItem {
    // A master carries `recurrence`; an instance (an exception of a recurring event)
    // carries `recurrence_id` (its originalStartTime); a cancelled item has status
    // cancelled and often nothing else.
    // event.export_marker is the appointment of an export: read from the id calsync
    // derived (google_event_id.hpp), else from the marker property.
    Event event;
    std::string recurring_event_id;  // the master's id, on an instance
    std::string marker_property;     // extendedProperties.private.calsyncAppointmentId

    bool is_instance() const { return !recurring_event_id.empty(); }
    bool is_cancelled() const { return event.status == EventStatus::cancelled; }
};

// `default_zone`: the calendar's time zone (the list's top-level "timeZone"), for a
// dateTime written with neither an offset nor a timeZone. An item that cannot be used
// is an Error naming the field (the caller reports it in ChangeSet::errors).
Result<GoogleItem> read_google_event(const rapidjson::Value& item, const std::string& calendar_id,
                                     const std::string& default_zone);

// The body of events.insert: `id`, summary, description and location as the export
// engine filled them, start and end, status, transparency and the marker; nothing else
// (no attendees, no visibility, no reminders), so the provider adds no detail the export
// engine did not choose to write.
Result<std::string> write_google_event(const Event& event, const std::string& id);

// The body of events.patch that gives `current` (an export as Google holds it now) what
// `event` says in the fields calsync writes, naming only those that differ (times by the
// instant or date they denote, not by how Google spells them); nullopt when none does.
// Under patch semantics everything else stays as the owner or another app left it: the
// colour, reminders, attendees, other private properties. A deleted (cancelled) event
// gets every field, and its status back.
Result<std::optional<std::string>> write_google_patch(const Event& event,
                                                      const GoogleItem& current);

}  // namespace calsync::providers::google
