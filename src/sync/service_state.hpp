// What a SyncService holds while it runs, shared by the files that implement it: the
// store, the import engine over every selected import calendar, the providers of the
// connections in use, and the schedule's random source.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"
#include "calsync/sync.hpp"

namespace calsync {

// One connection in use: its provider (kept between syncs, so HTTP connections and
// refreshed tokens are reused) and the lock that makes its syncs take turns.
struct LiveConnection {
    std::mutex sync_mutex;
    std::unique_ptr<CalendarProvider> provider;
};

struct SyncService::State {
    SyncServiceOptions options;
    std::shared_ptr<StateStore> store;

    mutable std::mutex engine_mutex;
    ImportEngine engine;  // calendars keyed by slot_calendar_key
    // Whether `engine` holds the store's events. Opening a service does not expand every
    // stored event (issue 13): the engine is built on first need, by a query for slots or
    // a change to apply, so a sync that changes nothing costs only its requests.
    bool engine_built = false;
    // Built from engine.busy() on the first query after a change; reset with every change.
    mutable std::optional<AvailabilityIndex> availability;

    std::mutex live_mutex;
    std::map<std::string, std::shared_ptr<LiveConnection>> live;

    std::mutex random_mutex;
    std::mt19937_64 random;

    // Reads confirm_free started that outlived its timeout; joined at destruction.
    std::mutex background_mutex;
    std::vector<std::future<Result<SyncReport>>> background;

    State(SyncServiceOptions o, ImportEngine e);

    Instant now() const;
    TimeRange window() const;  // the sync window at now()
    void log(LogLevel level, const std::string& message) const;

    std::shared_ptr<LiveConnection> live_connection(const std::string& connection_id);
    void forget_live(const std::string& connection_id);
    // The connection's provider, built (once) from its stored settings and credentials.
    Result<CalendarProvider*> provider(LiveConnection& live, const ConnectionRecord& connection);

    Result<std::string> seal(const std::string& secret) const;
    Result<std::string> unseal(const std::string& sealed) const;

    // The engine's policy for the window and every selected import calendar's flags.
    Result<BlockingPolicy> blocking_policy(const TimeRange& window);
    // A new engine from everything the store holds; swapped in under the engine lock.
    // Returns the slots that came and went.
    Result<SlotDiff> rebuild_engine();
    // Rebuilds when the window has moved on since the engine was built.
    Result<void> keep_window_current();
    // Builds the engine from the store unless it already is: before answering from it, and
    // before a change whose slot difference the host is told (so that the difference is
    // against what the store held).
    Result<void> engine_ready();

    // The slots a set of engine changes made, with pairs that cancel out dropped.
    static SlotDiff net(SlotDiff diff);

    Result<void> mark_due_now(const std::string& connection_id);
    // The stored connection, or Error invalid_argument when it was disconnected: what every
    // operation that talks to its service needs first.
    Result<ConnectionRecord> active_connection(const std::string& connection_id);

    // A calendar the account listed, stored with what it says now (name, colour, access)
    // and the selection, direction and policy already chosen for it (new: the default
    // policy, not selected).
    Result<void> store_listed_calendar(const std::string& connection_id, const Calendar& calendar);

    // Calls `each` for every selected import calendar of every active connection.
    Result<void> for_each_import_calendar(
        const std::function<Result<void>(const ConnectionRecord&, const CalendarRecord&)>& each);
};

// The provider configuration (a calsync_provider_new document) of a stored connection:
// its settings, its unsealed credentials and the service's OAuth client and network.
Result<std::string> provider_document(const ConnectionRecord& connection,
                                      const std::string& credentials_json,
                                      const SyncSettings& settings);

// The real providers (ProviderFactory's default).
Result<std::unique_ptr<CalendarProvider>> make_default_provider(const ProviderContext& context,
                                                                const SyncSettings& settings);

}  // namespace calsync
