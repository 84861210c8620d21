// The Graph provider reading what Microsoft Graph answers: /me/calendars pages, a
// calendarView/delta round and the round after it from its cursor, a windowed calendarView
// listing and the listing after it compared by changeKey, and the find_export lookup;
// errors, Retry-After, syncStateNotFound and a token refresh after a 401 included.
//
// Input: one letter for the call ("l" calendars, "f" fetch_changes, "d" delta twice, "s"
// listing twice, "x" find_export), then the answers in order (fuzz_support.hpp's script
// format).
#include <cstdint>

#include "fuzz_support.hpp"
#include "providers/microsoft/graph_import.hpp"
#include "providers/microsoft/graph_provider.hpp"

using namespace calsync;
using namespace calsync::providers::microsoft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::Mode mode = fuzz::pick_mode(fuzz::text_of(data, size), "lfdsx");
    auto http = fuzz::scripted_http(mode.rest);
    auto session = fuzz::scripted_session(http, fuzz::fixed_now() + std::chrono::hours(24));
    GraphOptions options;
    options.import.max_pages = 8;  // the script runs out long before; keeps every input short
    const std::string calendar = "calendar-1";
    const TimeRange window = fuzz::sync_window();
    if (mode.index == 2 || mode.index == 3) {
        GraphClient client(options.api_base_url, session, http);
        const auto round = mode.index == 2 ? delta_changes : listing_changes;
        auto first = round(client, options.import, calendar, "", window);
        if (first.ok())
            (void)round(client, options.import, calendar, first->next_cursor, window);
        return 0;
    }
    GraphProvider provider(options, session, http);
    if (mode.index == 0)
        (void)provider.list_calendars();
    else if (mode.index == 1)
        (void)provider.fetch_changes(calendar, "", window);
    else
        (void)provider.find_export(calendar, "appt-1");
    return 0;
}
