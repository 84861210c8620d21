// The C ABI: every entry point converts C++ results and exceptions into a status code and
// a per-thread message; nothing thrown inside ever reaches the caller.
#include "calsync.h"

#include <cstdlib>
#include <string>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"
#include "calsync/ical.hpp"
#include "capi_support.hpp"
#include "engine/json_codec.hpp"

namespace {

using namespace calsync::capi;

calsync_status blocked_slots(const char* request_json, char** out) {
    using namespace calsync;
    if (request_json == nullptr)
        return null_argument("request_json");
    if (out == nullptr)
        return null_argument("response_json");
    auto request = json::parse_blocked_slots_request(request_json);
    if (!request.ok())
        return fail(request.error());
    auto engine = engine_for(request->policy);
    if (!engine.ok())
        return fail(engine.error());
    std::vector<EventError> errors;
    for (std::size_t i = 0; i < request->calendars.size(); ++i) {
        json::CalendarInput& cal = request->calendars[i];
        errors.insert(errors.end(), cal.errors.begin(), cal.errors.end());
        std::string label = cal.name;
        if (cal.has_ics) {
            IcsReadOptions options;
            options.calendar_id = cal.id;
            options.owner_addresses = cal.owner_addresses;
            auto ics = read_ics(cal.ics, options);
            if (!ics.ok())
                return fail(CALSYNC_EPARSE,
                            "calendars[" + std::to_string(i) + "].ics: " + ics.error().message);
            if (label.empty())
                label = ics->name;
            errors.insert(errors.end(), ics->errors.begin(), ics->errors.end());
            cal.events = std::move(ics->events);
        }
        engine->set_calendar_label(cal.id, label.empty() ? cal.id : label);
        engine->load(cal.events);
    }
    return hand_out_slots(engine.value(), std::move(errors), out);
}

calsync_status free_slots(const char* request_json, char** out) {
    using namespace calsync;
    if (request_json == nullptr)
        return null_argument("request_json");
    if (out == nullptr)
        return null_argument("response_json");
    auto request = json::parse_free_slots_request(request_json);
    if (!request.ok())
        return fail(request.error());
    const AvailabilityIndex index(std::move(request->busy));
    const auto free =
        bounded_free_slots(index, request->within, std::chrono::seconds(request->duration_seconds),
                           std::chrono::seconds(request->step_seconds));
    if (!free.ok())
        return fail(free.error());
    return hand_out(json::write_free_slots_response(free.value()), out);
}

}  // namespace

extern "C" {

int calsync_abi_version(void) {
    return CALSYNC_ABI_VERSION;
}

const char* calsync_version(void) {
    return CALSYNC_VERSION_STRING;
}

const char* calsync_last_error_message(void) {
    return calsync::capi::last_error.message.c_str();
}

int calsync_last_error_http_status(void) {
    return calsync::capi::last_error.http_status;
}

long long calsync_last_error_retry_after(void) {
    const auto& wait = calsync::capi::last_error.retry_after;
    return wait ? static_cast<long long>(wait->count()) : -1;
}

void calsync_string_free(char* str) {
    std::free(str);  // NOLINT(*-no-malloc): hand_out's malloc
}

calsync_status calsync_engine_blocked_slots(const char* request_json, char** response_json) {
    return guarded("calsync_engine_blocked_slots",
                   [&] { return blocked_slots(request_json, response_json); });
}

calsync_status calsync_engine_free_slots(const char* request_json, char** response_json) {
    return guarded("calsync_engine_free_slots",
                   [&] { return free_slots(request_json, response_json); });
}

}  // extern "C"
