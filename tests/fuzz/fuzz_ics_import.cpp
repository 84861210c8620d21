// read_ics, then the import engine over the sync window: what a feed, a CalDAV calendar or
// a calsync_engine_blocked_slots "ics" goes through. The input is iCalendar text.
#include <cstdint>
#include <string>

#include "calsync/engine.hpp"
#include "calsync/ical.hpp"
#include "fuzz_support.hpp"

using namespace calsync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    IcsReadOptions options;
    options.calendar_id = "feed";
    options.owner_addresses = {"owner@example.com"};
    auto ics = read_ics(fuzz::text_of(data, size), options);
    if (!ics.ok())
        return 0;
    BlockingPolicy policy;
    policy.business_zone = "Europe/Berlin";
    policy.window = fuzz::sync_window();
    auto engine = ImportEngine::create(policy);
    if (!engine.ok())
        fuzz::broken("the engine refused a fixed policy: " + engine.error().message);
    engine->set_calendar_label("feed", ics->name);
    engine->load(ics->events);
    fuzz::check_busy(engine->slots(), engine->busy());
    if (engine->slot_count() != engine->slots().size())
        fuzz::broken("slot_count() is not the number of slots()");
    (void)engine->errors();
    // The incremental paths a later sync takes: one event changed, one removed.
    if (!ics->events.empty()) {
        (void)engine->upsert(ics->events.front());
        (void)engine->remove("feed", ics->events.back().id);
        fuzz::check_busy(engine->slots(), engine->busy());
    }
    return 0;
}
