// The engine's JSON documents of the C ABI (schemas in capi/include/calsync.h) <-> model
// and engine types (BlockingPolicy), through RapidJSON. Beside the engine, not in core:
// core knows nothing of the engine. Structural mistakes fail the whole request with a message
// naming the field; an event whose content cannot be used (an unknown zone) is reported per event
// instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/engine.hpp"
#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync::json {

struct CalendarInput {
    std::string id;
    std::string name;  // empty: fall back to the ICS X-WR-CALNAME, then the id
    std::vector<std::string> owner_addresses;
    bool has_ics = false;
    std::string ics;
    std::vector<Event> events;
    std::vector<EventError> errors;  // events of `events` that could not be used
};

struct BlockedSlotsRequest {
    BlockingPolicy policy;
    std::vector<CalendarInput> calendars;
};

Result<BlockedSlotsRequest> parse_blocked_slots_request(std::string_view text);
std::string write_blocked_slots_response(const std::vector<BlockedSlot>& slots,
                                         const std::vector<TimeRange>& busy,
                                         const std::vector<EventError>& errors);

struct FreeSlotsRequest {
    std::vector<TimeRange> busy;
    TimeRange within;
    std::int64_t duration_seconds = 0;
    std::int64_t step_seconds = 0;
};

// `with_busy`: the request carries its "busy" intervals (calsync_engine_free_slots);
// otherwise it must not (calsync_client_free_slots uses the client's blocked slots).
Result<FreeSlotsRequest> parse_free_slots_request(std::string_view text, bool with_busy = true);
std::string write_free_slots_response(const std::vector<TimeRange>& free);

// calsync_provider_blocked_slots: one calendar of a provider, read through the engine.
struct ProviderSlotsRequest {
    std::string calendar_id;
    BlockingPolicy policy;
};

Result<ProviderSlotsRequest> parse_provider_slots_request(std::string_view text);
std::string write_calendars_response(const std::vector<Calendar>& calendars);

}  // namespace calsync::json
