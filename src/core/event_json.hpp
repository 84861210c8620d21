// Event <-> JSON, losslessly, for the state store's event cache.
//
// The document is the EVENT schema of capi/include/calsync.h (id, uid, summary, start,
// end, duration, status, transparency, owner_response, export_marker, recurrence with
// rrule/rdate/exdate, overrides with recurrence_id and this_and_future), grown by what a
// cache must not lose: description, location, etag, RDATE periods ({"start", "end"}) and
// an override's own fields. Defaults (empty strings, "confirmed", "opaque", "none") are
// left out to keep 10,000-event calendars small. Event::calendar_id is not written: the
// reader is told it.
//
// Zoned times keep the TZID as the source wrote it ("time_zone") and are re-resolved on
// load, so a tzdata update reaches cached events. A zone that is not the IANA zone of
// that name (built from a calendar's own VTIMEZONE, or a Windows name mapped to IANA)
// carries its resolution: "zone": "<IANA name>", the VTIMEZONE text it was built from
// {"name", "vtimezone": "BEGIN:VTIMEZONE..."} (rebuilt once per distinct text, through the
// cache the calendar readers share), or a transition table
// {"name", "offset", "transitions": [[utc_seconds, offset_after], ...]}; "zone": null
// marks a zoned time that had no resolved zone.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync::json {

std::string write_event(const Event& event);

// Reads events written by write_event. Keeps the zones built from embedded transition
// tables, so the events of one calendar share them; use one reader per batch.
class EventReader {
  public:
    // `calendar_id` is set on the event and its overrides. Fails with ErrorCode::parse
    // naming the field. A TZID that no longer resolves (the zone left tzdata) keeps the
    // wall-clock time with no zone, which EventTime::resolve reads in the business zone.
    Result<Event> read(std::string_view text, const std::string& calendar_id);

  private:
    friend struct EventReading;
    std::map<std::string, ZonePtr, std::less<>> zones_;  // by their JSON definition
};

}  // namespace calsync::json
