// Graph event JSON <-> calsync::Event (Graph "event resource type").
//
// How Graph's series reach the engine: calendarView and calendarView/delta return the
// expanded instances of a window (singleInstance, occurrence, exception; never the
// seriesMaster), each with its own id. Each instance becomes one Event without
// recurrence, keyed by that id, so the engine (which expands RRULEs itself and replaces
// events by id) counts every instance once: an instance that changes or is removed is
// reported under its own id, and a master, should one appear, is skipped rather than
// expanded a second time.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync::providers::microsoft {

// The single-value extended property carrying the appointment id on every export
// (Graph "Outlook extended properties overview": "String {GUID} Name ...", always written
// and queried in this one form). The GUID is calsync's own property set.
constexpr const char* kAppointmentPropertyId =
    "String {6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name calsyncAppointmentId";

// The transactionId of an export: stable for one creation of an appointment's event in one
// calendar, so Graph can drop a repeated POST ("avoid redundant POST operations in case of
// client retries"), and reversible to the appointment id, as delta returns transactionId
// but cannot $expand extended properties. Graph does not say whether it matches
// transactionIds per calendar or per mailbox; a digest of the calendar keeps one
// appointment exported to two calendars of a mailbox from being taken for a retry of the
// other. Nor does it promise that a deleted event (in Deleted Items) stops matching its
// transactionId: the generation (Event::export_generation) goes into the digest, so an
// event made again after a deletion is a new event, not the deleted one handed back.
std::string transaction_id_for(const std::string& appointment_id, const std::string& calendar_id,
                               std::int64_t generation = 0);
std::optional<std::string> appointment_from_transaction_id(std::string_view transaction_id);

struct GraphItem {
    enum class Kind {
        event,          // an instance to upsert
        removed,        // "@removed": deleted, or outside the window
        series_master,  // not an instance; its instances come on their own
    };
    Kind kind = Kind::event;
    std::string id;
    Event event;  // for Kind::event
};

// The version of an event as If-Match takes it: "@odata.etag" (W/"<changeKey>"), else
// built from "changeKey"; empty when the item has neither. The importer's Event::etag and
// the exporter's RemoteEvent::etag are both this, so the export plan can tell our own
// unchanged export from one edited by someone else.
std::string event_version(const rapidjson::Value& item);

// One member of a page's "value". An event that cannot be read is an Error naming what was
// wrong (the caller reports it per event and goes on).
Result<GraphItem> read_item(const rapidjson::Value& item, const std::string& calendar_id);

// The JSON body that creates `event` in `calendar_id`, with its identity: transactionId and
// the appointment property (both derived from event.export_marker).
std::string create_body(const Event& event, const std::string& calendar_id);
// The JSON body that updates `event`: its content and the appointment property (put back
// should another app have dropped it); the transactionId cannot change.
std::string update_body(const Event& event);

}  // namespace calsync::providers::microsoft
