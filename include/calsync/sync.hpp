// The sync service: connections to external calendars, what they block, and the
// appointments written to them, kept right through any failure. It ties the providers,
// the state store and the pure engines together (design.md, "sync/").
//
// One sync of a connection: refresh its credentials, read every selected calendar
// (import, export and both: an export calendar is read too, so remote edits and deletions
// of our events are seen), apply each calendar's changes to the store with its new cursor
// in one transaction, update the blocked slots of the calendars that changed (only import
// calendars block), report the slots added and removed, then run the export plan of every
// export calendar. One failing calendar does not stop the others; a failed read changes
// nothing stored.
//
// Threads: every member function may be called from any thread. Syncs of different
// connections run concurrently (run_due uses a bounded pool); two syncs of one connection
// take turns. Callbacks are called from the thread doing the work, after the operation
// released its locks (so a callback may call any member function, on any connection), in
// the order the work raised them. The destructor cancels the reads confirm_free left
// running and waits for them (about a second at most).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calsync/cancel.hpp"
#include "calsync/engine.hpp"
#include "calsync/export_plan.hpp"
#include "calsync/model.hpp"
#include "calsync/provider.hpp"
#include "calsync/request_budget.hpp"
#include "calsync/result.hpp"
#include "calsync/store.hpp"
#include "calsync/team_feed.hpp"

namespace calsync {

// An OAuth client of Google or Microsoft, and where its API lives. Every URL can be
// overridden (national clouds, fakes in tests); empty means the service's own.
struct OAuthClientSettings {
    std::string client_id;
    std::string client_secret;  // empty for public clients
    std::string redirect_uri;
    std::string tenant;         // microsoft: common (default), organizations, consumers, an id
    std::string authority_url;  // microsoft: https://login.microsoftonline.com
    std::string authorization_url;
    std::string token_url;
    std::string revocation_url;
    std::string device_authorization_url;
    std::string api_base_url;
    // google: the Cloud project's Calendar API quota in requests per minute (0: Google's
    // default, 10,000). calsync keeps to 90 % of it: per process, or across every worker
    // of a fleet (SyncServiceOptions::request_budgets).
    std::int64_t requests_per_minute = 0;
};

struct NetworkSettings {
    // User-supplied URLs (CalDAV servers, feeds) may reach loopback and private networks.
    bool allow_private_addresses = false;
    std::string ca_bundle;  // empty: the system's CA store
    // A proxy for every request (the environment's http_proxy and the like are ignored);
    // the URL guard then checks the target's addresses before the request goes out.
    std::string proxy;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds total_timeout{120};  // one request
    // One sync of a connection, all its requests and retry waits together (likewise
    // connecting, a health check, watching): a slow server holds a worker no longer.
    std::chrono::seconds sync_timeout{300};
};

struct ScheduleSettings {
    // After a good sync the next one is due after a random interval in [min, max].
    std::chrono::minutes min_interval{15};
    std::chrono::minutes max_interval{30};
    // After failures: first_retry, doubling per failure, at most max_backoff (jittered).
    std::chrono::seconds first_retry{60};
    std::chrono::minutes max_backoff{30};
    // A full resync of a calendar when its cursor's window no longer covers the sync
    // window's end by this much (Google and Graph cursors keep the window they began with).
    std::chrono::hours refresh_window_after{24 * 7};
    // Each calendar is also read in full this often (after its incremental read), and
    // what that finds the incremental reads missed is corrected and reported
    // (CalendarSyncResult::corrected). Some servers lose changes: DAViCal answers a sync
    // token it no longer knows (after a restore) with an ordinary listing instead of 403
    // (RFC 6578 3.2), so a deletion made meanwhile is never reported. 0: never.
    std::chrono::seconds full_read_every{24 * 3600};
};

struct SyncSettings {
    std::string business_zone = "UTC";  // IANA; all-day and floating times live here
    int window_days_back = 1;           // the sync window: [today - back, today + ahead)
    int window_days_ahead = 365;
    CalendarPolicy default_policy;  // for calendars selected without their own
    // How appointments are written (privacy mode, UID domain) and how remote edits and
    // deletions of our events are treated. export_from is set from the window.
    ExportPolicy export_policy;
    OAuthClientSettings google;
    OAuthClientSettings microsoft;
    NetworkSettings network;
    ScheduleSettings schedule;
    int max_concurrent_syncs = 4;
    // False: a connection's provider (its open HTTP connections and TLS sessions, its
    // tokens in memory) is released after each sync: a file descriptor or more fewer per
    // connection, and less memory, for a new TLS handshake per sync.
    bool keep_idle_connections = true;
    // At least 32 bytes the host keeps secret: seals credentials in the store and signs
    // OAuth states and push channel tokens.
    std::string host_key;
};

// Builds the provider of a stored connection. The default builds the real providers from
// the connection's settings and credentials; tests substitute their own.
struct ProviderContext {
    const ConnectionRecord& connection;
    std::string credentials_json;  // unsealed: {"password": ...} or {"tokens": {...}}
    // A provider whose credentials change (a rotated OAuth refresh token) calls this with
    // the new credentials JSON; the service seals and stores it.
    std::function<void(const std::string& credentials_json)> credentials_changed;
    // Set when the service is being destroyed: a provider stops what it is doing (the real
    // ones abort their HTTP transfers) and answers with ErrorCode::cancelled.
    std::shared_ptr<const CancelSignal> cancel;
};
using ProviderFactory =
    std::function<Result<std::unique_ptr<CalendarProvider>>(const ProviderContext& context)>;

using Clock = std::function<Instant()>;

enum class LogLevel { debug, info, warning, error };
// Messages never contain a secret. Called from the threads that sync, several at once.
using LogSink = std::function<void(LogLevel level, const std::string& message)>;

// The blocked slots one sync of a connection added and removed. Slot calendar ids are
// "<connection id>/<calendar id>" (slot_calendar_key).
using SlotsChanged = std::function<void(const std::string& connection_id, const SlotDiff& diff)>;

struct SyncServiceOptions {
    SyncSettings settings;
    std::shared_ptr<StateStore> store;
    ProviderFactory provider_factory;  // empty: the real providers
    Clock clock;                       // empty: the system clock
    LogSink log;
    SlotsChanged slots_changed;
    std::uint64_t seed = 0;  // 0: random; fixes the schedule's jitter in tests
    // Whether open() stores the business's own settings (zone, window, default policy,
    // export policy: StateStore::put_business_settings) when they differ from what the
    // store holds, so that a fleet's workers sync the business as this host configured it.
    // A fleet worker opens with false: it syncs with what is stored.
    bool store_business_settings = true;
    // A service for syncing this one connection (a fleet worker's, per lease): it reads,
    // migrates and expands that connection's calendars only, so what it costs follows the
    // connection, not the business (issue 16, items 3 and 5). Its answers about slots and
    // availability then cover that connection only. Empty: the whole business.
    std::string only_connection;
    // Called whenever a connection is made due at a time (connected, selected, a push
    // notification, request_sync, an appointment to export), so that a fleet's work queue
    // (FleetStore::mark_due) follows the stored status; empty for a single process.
    std::function<void(const std::string& connection_id, Instant due)> connection_due;
    // Answer blocked_slots, busy, is_free, free_slots and confirm_free from the slots kept
    // in the store (StateStore::list_blocked_slots over the range asked, nothing expanded)
    // instead of this service's own expansion of the stored events. For a client of a
    // business that other processes (workers) sync: its own expansion, built once, never
    // sees what they store. The answers are as fresh as the last sync that stored slots,
    // whichever process ran it (a calendar's slots follow the moving window at each of its
    // syncs). Off: a store written by an older calsync may hold events without slots.
    bool slots_from_store = false;
    // Where the real providers take their requests from when a quota is shared with other
    // processes (Google's per OAuth project): a fleet's worker sets it to the fleet's
    // budgets; empty: this process paces itself.
    RequestBudgets request_budgets;
};

// renew_push() renews channels with less than this left. Graph subscriptions on events
// live 10,080 minutes (a week), Google channels a week as calsync asks: a day's margin
// renews each well before it lapses even if the host calls renew_push only every few
// hours, and never more often than every ~6 days.
constexpr std::chrono::hours kPushRenewMargin{24};

// "<connection id>/<calendar id>": how a slot names its calendar across connections.
std::string slot_calendar_key(const std::string& connection_id, const std::string& calendar_id);

struct CalendarSyncResult {
    std::string calendar_id;
    SyncStatus status;
    std::size_t events_read = 0;  // upserts and removals applied
    std::size_t exports_written = 0;
    // Events the periodic full read (ScheduleSettings::full_read_every) found otherwise
    // than the incremental reads had left them: new, changed or gone.
    std::size_t corrected = 0;
    std::vector<EventError> skipped;  // events the server sent that could not be read
    // Events left out for the engine's occurrence limits (OccurrenceLimits): they block
    // nothing, the calendar's other events still do.
    std::vector<EventError> capped;
};

struct SyncReport {
    std::string connection_id;
    SyncStatus status;  // the connection's, as stored after this sync
    SlotDiff slots;
    std::vector<CalendarSyncResult> calendars;
};

// Connecting by OAuth: where the person's browser goes.
struct AuthorizationStart {
    std::string connection_id;
    std::string url;
    std::string state;
};

// A health check item, in words for the person who must act on it.
struct HealthItem {
    std::string check;  // "credentials", "scopes", "calendar:<id>", "writable:<id>", "sync"
    bool ok = false;
    std::string reason;  // what is wrong (or what was confirmed)
    std::string action;  // what the user should do; empty when ok
};

struct HealthReport {
    std::string connection_id;
    bool ok = false;
    std::vector<HealthItem> items;
};

struct FreeAnswer {
    bool free = false;
    // False when some calendar could not be read again in time (or failed): the answer
    // comes from what was read before.
    bool fresh = false;
    std::vector<std::string> stale_connections;
    std::vector<BlockedSlot> conflicts;  // the slots overlapping the range
};

struct ConnectionCalendars {
    std::vector<CalendarRecord> calendars;
    std::vector<std::string> gone;  // selected calendars the account no longer lists
};

// Push notifications (src/sync/push.cpp): a channel made by watch().
struct PushWatch {
    std::string channel_id;  // Google channel id, Graph subscription id
    std::string connection_id;
    std::string calendar_id;
    ProviderKind kind = ProviderKind::google;
    Instant expires_at{};
};

// One channel renew_push() looked at. A Google channel cannot be renewed: it is replaced
// (channel_id differs from old_channel_id); a Graph subscription keeps its id.
struct PushRenewal {
    std::string connection_id;
    std::string calendar_id;
    std::string old_channel_id;
    std::string channel_id;  // empty when it failed
    Instant expires_at{};
    std::optional<Error> error;  // this channel only; the others are tried all the same
};

struct PushMarked {
    std::string connection_id;
    std::string calendar_id;
};

// The reply the host sends back, and what the notification did.
struct PushAnswer {
    int status = 200;  // Graph handshake 200, Graph notification 202, Google 200
    std::string content_type;
    std::string body;
    std::string source;                  // "graph_validation", "graph", "google"
    std::vector<PushMarked> marked;      // connections made due at once, with the calendar
    std::vector<std::string> events;     // Graph lifecycle events; Google "sync" (channel made)
    std::vector<std::string> renewed;    // subscriptions renewed (reauthorizationRequired)
    std::vector<std::string> forgotten;  // channels dropped (subscriptionRemoved)
    // Why a genuine notification marked nothing: "unknown_channel" (stopped or replaced),
    // "calendar_not_selected", "connection_disconnected"; empty otherwise.
    std::string ignored;
    std::size_t refused = 0;  // Graph notifications in the batch with a wrong clientState
};

class SyncService {
  public:
    // Loads what the store holds into the engine. Fails on settings that cannot work (no
    // host key, an unknown zone) or a store that cannot be read.
    static Result<std::unique_ptr<SyncService>> open(SyncServiceOptions options);
    ~SyncService();
    SyncService(const SyncService&) = delete;
    SyncService& operator=(const SyncService&) = delete;

    // --- connecting
    // CalDAV, iCloud, ICS feeds: `settings_json` is a calsync_provider_new document (see
    // calsync.h) without secrets; `credentials_json` {"password": "..."} or "{}". The
    // account is checked by listing its calendars before anything is stored. Connecting
    // again an account that was disconnected re-attaches its old connection (same id,
    // same export map). Returns the connection id.
    Result<std::string> add_connection(ProviderKind kind, const std::string& settings_json,
                                       const std::string& credentials_json,
                                       const std::string& connection_id = {});
    // Google, Microsoft: the authorization URL (PKCE, a state signed and spent once).
    // The verifier is sealed in the store, so complete may run in another process.
    Result<AuthorizationStart> begin_authorization(ProviderKind kind,
                                                   const std::string& connection_id = {});
    // The redirect came back with `state` and `code`: exchanges the code, lists the
    // calendars and stores the connection. Returns the connection id (an earlier
    // connection of the same account when there is one).
    Result<std::string> complete_authorization(const std::string& state, const std::string& code);
    // Google, Microsoft without a browser: tokens from a device sign-in
    // (calsync_oauth_device_poll) become a connection.
    Result<std::string> add_oauth_connection(ProviderKind kind, const std::string& tokens_json,
                                             const std::string& connection_id = {});
    // Imported events and blocked slots go at once; exported events stay in the remote
    // calendars and the export map is kept for a reconnect. `revoke` first revokes the
    // OAuth grant at the service; when that cannot be done (no grant: CalDAV, iCloud, a
    // feed; no revocation endpoint: Microsoft; the request failed) nothing is disconnected
    // and the Error says where the person can withdraw the access instead. Push channels
    // are stopped at the service (best effort) and forgotten.
    Result<void> disconnect(const std::string& connection_id, bool revoke = false);
    Result<std::vector<ConnectionRecord>> connections();

    // --- calendars
    // The account's calendars now (one request), merged with what is selected; for an
    // account of one fixed calendar (ProviderCapabilities), the one listed at connect.
    Result<ConnectionCalendars> list_calendars(const std::string& connection_id);
    // Selects a calendar with a direction; `policy` defaults to settings.default_policy.
    // Export needs a writable calendar. The next sync is due at once.
    Result<void> select_calendar(const std::string& connection_id, const std::string& calendar_id,
                                 CalendarDirection direction,
                                 std::optional<CalendarPolicy> policy = std::nullopt);
    // Its events stop blocking at once and its cache is dropped; its exports stay. Its push
    // channels are stopped (best effort) and forgotten.
    Result<void> deselect_calendar(const std::string& connection_id,
                                   const std::string& calendar_id);

    // --- syncing
    Result<SyncReport> sync(const std::string& connection_id);
    // Syncs every connection whose next sync is due at the clock's now on the service's
    // pool (max_concurrent_syncs threads, started when first needed and kept), and waits
    // for them all (each is bounded by network.sync_timeout); returns their reports.
    std::vector<SyncReport> run_due();
    // The same, waiting at most `wait` (zero: as run_due()). A sync still running then goes
    // on, on the pool, and stores its outcome as any sync does; one not started by then is
    // not started (it stays due, for the next call). Both are listed as unfinished, as are
    // due connections still syncing from an earlier call (never started twice).
    struct RunDueResult {
        std::vector<SyncReport> reports;      // the syncs that finished in time
        std::vector<std::string> unfinished;  // connection ids, sorted
    };
    RunDueResult run_due(std::chrono::milliseconds wait);
    // When the connection's next sync is due: now after connecting, selecting, a push
    // notification or a request; after a good sync 15-30 min later (jittered); after
    // failures, backing off. nullopt: never (it needs re-authorisation).
    Result<std::optional<Instant>> next_due(const std::string& connection_id);
    // A push notification (already validated) or a "sync now" click: due at once.
    Result<void> request_sync(const std::string& connection_id);

    // --- push notifications (src/sync/push.cpp)
    // Google: an events.watch channel (a random id, a token signed with the host key);
    // Microsoft: a Graph subscription, whose validation request reaches `address` (so
    // handle_push must already answer there). `address` is the host's HTTPS endpoint.
    // The calendar must be selected for import (or both): only those block. CalDAV,
    // iCloud and feeds have no push (invalid_argument saying so): they are polled.
    Result<PushWatch> watch(const std::string& connection_id, const std::string& calendar_id,
                            const std::string& address);
    // Renews every channel expiring within kPushRenewMargin of the clock's now: Graph by
    // PATCH, Google by a new channel (then the old one is stopped). Call it every hour or
    // so. A failure is reported on its channel and leaves the others alone.
    std::vector<PushRenewal> renew_push();
    // A request the host's endpoint received: a Graph validation handshake is answered; a
    // genuine notification for a known channel of a selected import calendar makes its
    // connection due at once. Error auth for a forged or unsigned notification (reply
    // 403), invalid_argument for something that is no notification (reply 400); nothing
    // is marked then.
    Result<PushAnswer> handle_push(const PushRequest& request);

    // --- appointments (the host's bookings); the export calendars are due at once
    Result<void> upsert_appointment(const Appointment& appointment);
    Result<void> cancel_appointment(const std::string& appointment_id);
    Result<std::vector<AppointmentRecord>> appointments();

    // --- answers from what was read
    std::vector<BlockedSlot> blocked_slots(const TimeRange& range) const;
    std::vector<TimeRange> busy(const TimeRange& range) const;
    bool is_free(const TimeRange& range) const;
    // At most kMaxFreeWindows (availability.hpp): Error limit_exceeded beyond.
    Result<std::vector<TimeRange>> free_slots(const TimeRange& within,
                                              std::chrono::seconds duration,
                                              std::chrono::seconds step) const;
    // Before a booking is confirmed: reads every import calendar again (incrementally,
    // concurrently) for at most `timeout`, then answers; on timeout or failure it answers
    // from what was read before and says so.
    FreeAnswer confirm_free(const TimeRange& range, std::chrono::milliseconds timeout);

    // --- status and troubleshooting
    Result<SyncStatus> status(const std::string& connection_id);
    Result<std::map<std::string, SyncStatus>> calendar_statuses(const std::string& connection_id);
    // Talks to the service: credentials, granted scopes, each selected calendar reachable
    // and, where it takes exports, writable.
    Result<HealthReport> check(const std::string& connection_id);

    // --- team sharing: the appointments as one iCalendar document to serve as a feed;
    // those exported through `connection_id`, or all when it is empty.
    Result<std::string> team_feed(const std::string& connection_id, const TeamFeedOptions& options);

    // The implementation's state (src/sync/service_state.hpp); opaque to hosts.
    struct State;

  private:
    explicit SyncService(std::unique_ptr<State> state);
    std::unique_ptr<State> s_;
};

}  // namespace calsync
