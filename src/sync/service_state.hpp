// What a SyncService holds while it runs, shared by the files that implement it: the
// store, the import engine over every selected import calendar, the providers of the
// connections in use, and the schedule's random source.
#pragma once

#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"
#include "calsync/sync.hpp"
#include "core/provider_config.hpp"
#include "net/deadline.hpp"
#include "sync/sync_pool.hpp"

namespace calsync {

// Callbacks run after the locks are released (calsync.h: "never while the library holds
// a lock they could need"; a slots_changed callback asking for its connection's calendars
// hung for ever). Every operation that takes a lock opens one of these first, before any
// lock: while one is open on a thread, State::log and State::slots_changed queue their
// calls on it, and the outermost delivers them in order when it closes, after the locks
// declared after it were released. A callback calling back into the service opens its own.
class DeferredCallbacks {
  public:
    DeferredCallbacks();
    ~DeferredCallbacks();
    DeferredCallbacks(const DeferredCallbacks&) = delete;
    DeferredCallbacks& operator=(const DeferredCallbacks&) = delete;
    // Runs `call` at once when no DeferredCallbacks is open on this thread, else queues it.
    static void run_or_defer(std::function<void()> call);

  private:
    std::vector<std::function<void()>> queue_;
    bool outermost_;
};

// One connection in use: its provider (kept between syncs, so HTTP connections and
// refreshed tokens are reused) and the lock that makes its syncs take turns.
struct LiveConnection {
    std::mutex sync_mutex;
    std::unique_ptr<CalendarProvider> provider;
};

// A read confirm_free started: one per connection at most; every confirm_free of that
// connection waits on it (each within its own timeout) instead of starting another.
struct ConfirmRead {
    std::thread thread;
    std::shared_future<Result<SyncReport>> result;
};

// Lock order (a lock may be taken while holding those above it, never the other way):
//   1. LiveConnection::sync_mutex, one connection's at a time (sync, disconnect, select,
//      deselect, list_calendars, watch, renew_push, check); held across a whole sync.
//   2. engine_mutex.
//   3. live_mutex, random_mutex, reads_mutex, in_flight_mutex: leaves, nothing is taken
//      while holding them.
//   Then the store's own locks. No callback runs under any of them (DeferredCallbacks).
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

    // Set by the destructor: every provider built by this service was given it.
    std::shared_ptr<CancelSignal> cancel = std::make_shared<CancelSignal>();
    // confirm_free's reads by connection id; a finished one is joined when the next read of
    // its connection starts, the rest at destruction (after `cancel`).
    std::mutex reads_mutex;
    std::map<std::string, ConfirmRead> reads;

    // run_due's threads (settings.max_concurrent_syncs), and the connections they are
    // syncing, so that no call starts one twice.
    std::unique_ptr<sync::SyncPool> pool;
    std::mutex in_flight_mutex;
    std::condition_variable in_flight_done;  // notified as one leaves in_flight
    std::set<std::string> in_flight;

    State(SyncServiceOptions o, ImportEngine e);

    Instant now() const;
    // Opened where an operation that talks to a service begins (a sync, connecting, a
    // health check, push): every request of it stops at settings.network.sync_timeout.
    std::unique_ptr<net::DeadlineScope> operation_deadline() const;
    TimeRange window() const;  // the sync window at now()
    // Both deliver through DeferredCallbacks: after the caller's locks are released.
    void log(LogLevel level, const std::string& message) const;
    void slots_changed(const std::string& connection_id, const SlotDiff& diff) const;

    // Blocked slots kept in the store (issue 16, item 5): writes what the engine now shows
    // of every calendar `diff` touched, and of `own` (the calendar whose events changed:
    // its `own_events`, or all of it when `own_replaced`), with StateStore::
    // apply_slot_changes. Called with engine_mutex held, right after the engine took the
    // change and after the events' own transaction (not inside it: the engine lock is
    // taken before the store's, see the lock order above). A write that fails is logged
    // and its calendar marked in slots_stale, so its next read writes it whole; the
    // events, already stored, stay as they are. A calendar gone from the store (a
    // disconnect) took its slots with it: nothing to write.
    void keep_slots(const SlotDiff& diff, const std::string& own_key = {},
                    bool own_replaced = false, const std::vector<std::string>& own_events = {});
    // Slot calendar keys whose stored slots may lag the engine (a failed keep_slots); under
    // engine_mutex.
    std::set<std::string> slots_stale;
    // Kept slots follow the moving window: each selected import calendar of an active
    // `connection` whose slots were last written whole for another window than the
    // engine's (StateStore::find_slot_window; the window moves a whole UTC day at a time,
    // so this is at most once a day per calendar) or for none is written whole again from
    // the engine, built if need be: the days that entered the window get their slots (a
    // weekly series' new occurrences, which no incremental read reports) and those that
    // left it lose theirs. Called once per sync, after the reads, so a full read that
    // already wrote a calendar whole costs nothing more. A failure is logged; the sync
    // goes on and the next one tries again.
    void keep_slot_windows(const ConnectionRecord& connection,
                           const std::vector<CalendarRecord>& calendars);

    std::shared_ptr<LiveConnection> live_connection(const std::string& connection_id);
    void forget_live(const std::string& connection_id);
    // The connection's provider, built (once) from its stored settings and credentials.
    Result<CalendarProvider*> provider(LiveConnection& live, const ConnectionRecord& connection);

    // Every value sealed in the store is bound to what it is (`purpose`, one of
    // kSealed* below) and whose it is (`owner`, from its row), so a blob copied into
    // another row, or read as another kind of secret, does not open (src/sync/sealing.cpp).
    Result<std::string> seal(const std::string& secret, std::string_view purpose,
                             const std::string& owner) const;
    // Error auth, without a secret, when it does not open.
    Result<std::string> unseal(const std::string& sealed, std::string_view purpose,
                               const std::string& owner) const;
    // A connection's credentials JSON; the error names the connection and what to do.
    Result<std::string> seal_credentials(const std::string& connection_id,
                                         const std::string& credentials_json) const;
    Result<std::string> open_credentials(const ConnectionRecord& connection) const;

    // The engine's policy for the window and every selected import calendar's flags.
    Result<BlockingPolicy> blocking_policy(const TimeRange& window);
    // A new engine from everything the store holds; swapped in under the engine lock.
    // Returns the slots that came and went.
    Result<SlotDiff> rebuild_engine();
    // Rebuilds when the window has moved on since the engine was built.
    Result<void> keep_window_current();
    // Brings one calendar's events and policy in the engine in line with its stored record
    // (selected, direction, policy) and events, when the engine is built; the slots that
    // came and went. Costs that calendar's events, not the client's.
    Result<SlotDiff> refresh_calendar(const CalendarRecord& calendar);
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

    // Every stored connection, or only options.only_connection when it is set.
    Result<std::vector<ConnectionRecord>> connections_in_scope();
    // Calls `each` for every selected import calendar of every active connection in scope.
    Result<void> for_each_import_calendar(
        const std::function<Result<void>(const ConnectionRecord&, const CalendarRecord&)>& each);
};

// What sealed values are, for State::seal; the owner of each is named beside it.
constexpr std::string_view kSealedCredentials = "connection credentials";  // connection id
constexpr std::string_view kSealedCodeVerifier = "oauth code verifier";    // sealed_owner(...)
constexpr std::string_view kSealedPushSecret = "push channel secret";      // sealed_owner(channel)

// The owner of a value whose row has a key of several parts.
std::string sealed_owner(const PendingAuthorization& pending);
std::string sealed_owner(const PushChannel& channel);

// Brings a store written before values were bound up to date, once, at open (the
// connections in scope): unbound credentials and push secrets are sealed again bound to
// the row they are in, and the
// address of an ICS feed (its secret) moves from the clear settings into the sealed
// credentials, with the account name and stored messages redacted.
Result<void> migrate_sealed_values(SyncService::State& s);

// The settings' network part as provider configurations take it.
json::NetworkConfig network_config(const NetworkSettings& network);

// The OAuth client the settings hold for `kind`'s service; nullptr when it does not sign
// in with OAuth.
const OAuthClientSettings* oauth_client_of(const SyncSettings& settings, ProviderKind kind);

// The provider configuration (a calsync_provider_new document) of a stored connection:
// its settings, its unsealed credentials and the service's OAuth client and network.
Result<std::string> provider_document(const ConnectionRecord& connection,
                                      const std::string& credentials_json,
                                      const SyncSettings& settings);

// The real providers (ProviderFactory's default); `budgets` as SyncServiceOptions says.
Result<std::unique_ptr<CalendarProvider>> make_default_provider(const ProviderContext& context,
                                                                const SyncSettings& settings,
                                                                const RequestBudgets& budgets);

}  // namespace calsync
