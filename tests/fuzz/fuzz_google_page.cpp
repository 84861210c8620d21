// The Google provider reading what Google answers: calendarList pages, events.list pages
// (a full sync in the window, an incremental one from a sync token with its series read
// again), an events.get for find_export and an events.watch answer; errors, Retry-After
// and a token refresh after a 401 included.
//
// Input: one letter for the call ("c" calendarList, "f" full sync, "i" incremental, "e"
// find_export, "w" watch), then the answers in order (fuzz_support.hpp's script format).
#include <cstdint>

#include "fuzz_support.hpp"
#include "providers/google/google_errors.hpp"
#include "providers/google/google_provider.hpp"

using namespace calsync;
using namespace calsync::providers::google;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::Mode mode = fuzz::pick_mode(fuzz::text_of(data, size), "cfiew");
    net::RetryPolicy policy;
    policy.is_throttled = is_google_throttled;
    auto http = fuzz::scripted_http(mode.rest, policy);
    auto session = fuzz::scripted_session(http, fuzz::fixed_now() + std::chrono::hours(24));
    GoogleOptions options;
    options.max_pages = 8;  // the script runs out long before; keeps every input short
    GoogleProvider provider(options, session, http);
    const std::string calendar = "garage@example.com";
    switch (mode.index) {
        case 0:
            (void)provider.list_calendars();
            break;
        case 1:
            (void)provider.fetch_changes(calendar, "", fuzz::sync_window());
            break;
        case 2:
            (void)provider.fetch_changes(calendar, "sync-token-1", fuzz::sync_window());
            break;
        case 3:
            (void)provider.find_export(calendar, "appt-1");
            break;
        default: {
            WatchRequest request;
            request.channel_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
            request.address = "https://host.example/push";
            request.connection_id = "conn-1";
            request.host_key = fuzz::host_key();
            request.expiration = fuzz::fixed_now() + std::chrono::hours(24 * 7);
            (void)provider.watch(calendar, request);
            break;
        }
    }
    return 0;
}
