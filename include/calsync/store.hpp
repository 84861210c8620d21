// StateStore: everything calsync remembers between syncs, behind one interface so a C++
// host can bring its own. Three implementations ship: SQLite (the embedded default),
// PostgreSQL (for a fleet of workers, when built with libpq: CALSYNC_WITH_POSTGRES) and
// memory.
//
// Businesses. One store holds many businesses (tenants: garages); a StateStore object is
// the view of ONE business, chosen when it is opened (`business_id` in the options, the
// default business "default" otherwise). Everything below is per business: nothing of
// one business is visible or writable through the view of another, and the same
// connection, appointment or channel id may be used by two businesses. The fleet-level
// operations (every business, the workers' queue, routing a push notification to its
// business) are FleetStore's (calsync/fleet.hpp).
//
// What is kept, per connection (an account at a calendar service):
//   - its settings and sealed credentials (ConnectionRecord),
//   - its calendars, each with selection, direction, blocking flags and sync cursor
//     (CalendarRecord), and the cached external events of each calendar,
//   - its status and its calendars' statuses (SyncStatus),
//   - its push channels (PushChannel);
// and, for the whole store: the host's appointments (AppointmentRecord), the export map
// (ExportRecord: which appointment was written where, as which remote event), pending
// OAuth authorizations and spent OAuth state nonces.
//
// Secrets. The store never sees a secret in clear: credentials and PKCE verifiers arrive
// already sealed (net::seal, AES-256-GCM) and are kept as opaque strings. Error messages
// name the operation and the keys involved (connection, calendar, appointment ids), never
// a credential.
//
// Time. The store reads no clock: every timestamp is a field or an argument the caller
// sets ("now" comes from the sync service), so tests are deterministic.
//
// Threads. Every implementation may be called from several threads at once (the
// scheduler syncs several connections concurrently); each call is atomic. transaction()
// holds the store for its whole duration: other threads' calls wait until it ends, so do
// no network I/O inside one.
//
// Atomicity. Each call is all or nothing. apply_changes() applies a ChangeSet and its new
// cursor together. transaction() groups several calls.
//
// Crash safety of exports (the export intent protocol). A crash between a remote write
// and the local record of it must neither lose the write nor repeat it as a duplicate.
// The providers' creates are idempotent (the remote identity derives from the appointment
// id, so a repeated create finds the first write), and every write goes through three
// steps:
//   1. put_export() with `intent` set (create / update / remove) and `intent_hash` the
//      content hash about to be written; a create's `remote_id` may stay empty (the sync
//      service's does), as the create itself finds an earlier write (CalDAV and Google by
//      the identity derived from the appointment id, Graph by the export marker). This
//      is durable before step 2 starts.
//   2. the remote write (create_event / update_event / delete_event).
//   3. on success: put_export() with intent none, the returned remote id and etag, and
//      content_hash = intent_hash; for a remove: remove_export().
// After a crash a record with an intent tells the sync service what may have happened
// remotely, and the next read of the calendar settles it. A pending create is planned as
// a pending entry (export_plan.hpp): our event seen in the read is adopted, else the
// create is made again (idempotent); if its appointment was cancelled meanwhile, an event
// of it in the read is deleted and the record goes once a read of the whole calendar
// shows none. A pending update or remove is planned again from the record's confirmed
// state: an update is written once more; a remove the read shows done is only
// forgotten, and a 404 on a repeated delete means done; one the read shows never took
// effect (the calendar holds the confirmed version, nothing to write) is confirmed as it
// stands. A record with no intent is confirmed remote state.
//
// Disconnect and reconnect. disconnect_connection() purges the import side at once (the
// calendars with their cached events, cursors, selections and statuses; push channels;
// pending authorizations; the sealed credentials) and marks the connection disconnected;
// it keeps the connection's id, kind, account and settings, its status and its export
// map, so exported events left in the remote calendar stay known. A reconnect finds the
// old record with find_connection(kind, account) and brings it back with put_connection()
// under the same id (state active, new credentials): its export map is attached again
// and nothing is exported twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/model.hpp"
#include "calsync/provider.hpp"
#include "calsync/result.hpp"

namespace calsync {

// ---------------------------------------------------------------------------------------
// Records

const char* to_string(ProviderKind kind);  // "google", "microsoft", "caldav", "icloud", "ics_feed"
std::optional<ProviderKind> provider_kind_from_string(std::string_view text);

enum class ConnectionState {
    active,
    disconnected,  // import state purged, export map kept (see "Disconnect" above)
};
const char* to_string(ConnectionState state);  // "active", "disconnected"
std::optional<ConnectionState> connection_state_from_string(std::string_view text);

struct ConnectionRecord {
    std::string id;  // chosen by the host or the sync service; stable across reconnects
    ProviderKind kind = ProviderKind::caldav;
    // The external account's stable identity (e-mail address, CalDAV principal URL, feed
    // URL without credentials): shown to the user and used by find_connection() to
    // re-attach a reconnect. Never a secret.
    std::string account;
    std::string settings_json;       // non-secret provider settings: URLs, username, tenant...
    std::string sealed_credentials;  // net::seal output; never interpreted by the store
    ConnectionState state = ConnectionState::active;
    Instant created_at{};
};

// Which way a calendar is synced. `export` is a C++ keyword, hence the `_only` names.
enum class CalendarDirection {
    import_only,  // its events block slots
    export_only,  // appointments are written to it
    both,
};
const char* to_string(CalendarDirection direction);  // "import", "export", "both"
std::optional<CalendarDirection> calendar_direction_from_string(std::string_view text);
inline bool imports(CalendarDirection d) {
    return d != CalendarDirection::export_only;
}
inline bool exports(CalendarDirection d) {
    return d != CalendarDirection::import_only;
}

struct CalendarRecord {
    std::string connection_id;
    Calendar calendar;      // id, name (the slot label), color, time zone, can_write, is_primary
    bool selected = false;  // only selected calendars are synced
    CalendarDirection direction = CalendarDirection::import_only;
    CalendarPolicy policy;  // which of its events block
    // The provider's cursor after the last applied ChangeSet; empty before the first.
    // Written only by apply_changes(): put_calendar() keeps the stored cursor.
    std::string cursor;
};

// What apply_changes() changed, so the caller recomputes slots only for what moved.
struct AppliedChanges {
    std::vector<std::string> upserted;  // ids stored new or with other content, in set order
    std::vector<std::string> removed;   // event ids held before and gone now
    std::size_t unchanged = 0;          // upserts identical to what was held
    bool replaced = false;              // the ChangeSet was a full resync
    bool any() const { return !upserted.empty() || !removed.empty(); }
};

struct AppointmentRecord {
    Appointment appointment;
    // Business-wide, strictly increasing on every change of any appointment: "what changed
    // since revision r" is list_appointments_since(r). A put of identical content keeps
    // the revision.
    std::int64_t revision = 0;
    Instant updated_at{};
};

// Where the export map's records are kept: one per appointment and export calendar.
struct ExportKey {
    std::string appointment_id;
    std::string connection_id;
    std::string calendar_id;
    bool operator==(const ExportKey& o) const {
        return appointment_id == o.appointment_id && connection_id == o.connection_id &&
               calendar_id == o.calendar_id;
    }
};

// A remote write begun and not yet confirmed (see "export intent protocol" above).
enum class ExportIntent { none, create, update, remove };
const char* to_string(ExportIntent intent);  // "none", "create", "update", "remove"
std::optional<ExportIntent> export_intent_from_string(std::string_view text);

struct ExportRecord {
    ExportKey key;
    std::string remote_id;     // RemoteEvent::id; for a pending create, the id it will get
    std::string etag;          // RemoteEvent::etag of the last confirmed write
    std::string content_hash;  // hash of the content of the last confirmed write
    ExportIntent intent = ExportIntent::none;
    std::string intent_hash;  // hash of the content the pending intent writes
    Instant updated_at{};
    // Which creation of the appointment's event in this calendar the record is about (Event::
    // export_generation): a create repeated while unconfirmed keeps it, a create after a
    // confirmed event (a re-creation) takes the next one; 0 for records kept before it.
    std::int64_t generation = 0;
};

enum class SyncState {
    never_synced,
    ok,
    error,                  // a failure that a later sync may cure (network, server)
    rate_limited,           // the service asked us to wait (next_due says until when)
    needs_reauthorisation,  // the grant is gone: the user must log in again
    calendar_gone,          // the calendar no longer exists or is no longer shared
};
const char* to_string(SyncState state);  // the enumerator's name
std::optional<SyncState> sync_state_from_string(std::string_view text);

// The health of a connection or of one of its calendars, as the sync service reports it.
struct SyncStatus {
    SyncState state = SyncState::never_synced;
    std::optional<Instant> last_attempt;
    std::optional<Instant> last_success;
    std::string last_error;  // readable, for the user; never a secret
    std::int64_t events_read = 0;
    std::int64_t events_exported = 0;
    int consecutive_failures = 0;
    std::optional<Instant> next_due;  // when the scheduler should sync it next
};

// An OAuth authorization begun (the user's browser is at the provider) and not yet
// completed; begin and complete may run in different processes.
struct PendingAuthorization {
    std::string state;  // the OAuth `state` parameter: the key
    std::string connection_id;
    std::string sealed_code_verifier;  // net::seal of the PKCE verifier
    Instant expires_at{};
};

// A change-notification subscription (Google channel, Graph subscription), for renewal
// and for routing an incoming notification to its calendar.
struct PushChannel {
    std::string channel_id;  // Google channel id, Graph subscription id: the key
    std::string connection_id;
    std::string calendar_id;
    std::string resource_id;   // Google resourceId (needed to stop the channel)
    std::string sealed_token;  // the channel token / clientState notifications must carry
    Instant expires_at{};
};

// What changed in one calendar's blocked slots (see StateStore::apply_slot_changes).
struct SlotChanges {
    bool replace_all = false;         // drop every slot held for the calendar first
    std::vector<std::string> events;  // otherwise: drop the slots of these event ids first
    std::vector<BlockedSlot> slots;   // then add these (calendar_id is set by the store)
    // With replace_all: the sync window the calendar's slots were computed for, kept as its
    // slot window (find_slot_window) so that a later sync sees when the window has moved on
    // past them. Only with replace_all (invalid_argument otherwise): a partial change keeps
    // the calendar's window; a replace_all without one forgets it.
    std::optional<TimeRange> window;
};

// A kept slot and the connection of its calendar: slot.calendar_id is the calendar's own
// id, unique only within its connection. Ordered as BlockedSlot, the connection id before
// the calendar id.
struct StoredSlot {
    std::string connection_id;
    BlockedSlot slot;
    bool operator==(const StoredSlot& o) const {
        return connection_id == o.connection_id && slot == o.slot;
    }
    bool operator<(const StoredSlot& o) const;
};

// What a sync reads of its connection before anything else, in one call
// (StateStore::read_connection_snapshot).
struct ConnectionSnapshot {
    std::optional<std::string> business_settings;         // find_business_settings
    ConnectionRecord connection;                          // get_connection
    SyncStatus status;                                    // get_connection_status
    std::vector<CalendarRecord> calendars;                // list_calendars
    std::map<std::string, SyncStatus> calendar_statuses;  // list_calendar_statuses
    std::vector<PushChannel> push_channels;               // list_push_channels
    // find_slot_window of each of its calendars that has a window, by calendar id; empty
    // (not read) from a store that keeps no slots, and from the default implementation.
    std::optional<std::map<std::string, TimeRange>> slot_windows;
};

// What an export run reads of its calendar, in one call (StateStore::read_export_inputs).
struct ExportInputs {
    std::vector<AppointmentRecord> appointments;  // list_appointments
    std::vector<ExportRecord> exports;            // list_exports
    std::vector<Event> events;                    // load_events
};

// What a sync writes as it ends, in one call (StateStore::put_sync_end).
struct SyncEnd {
    // calendar id -> its new cursor, for the calendars where the read found nothing (what
    // apply_changes would store of a ChangeSet with nothing but the cursor)
    std::map<std::string, std::string> cursors;
    std::map<std::string, SyncStatus> calendar_statuses;  // calendar id -> its status
    SyncStatus status;                                    // the connection's
};

// ---------------------------------------------------------------------------------------
// The interface
//
// Conventions: get_* fail with ErrorCode::not_found when the record is absent; find_*
// return an empty optional instead. put_* insert or replace by key. Records that belong
// to a connection (calendars, statuses, push channels, export records) need the
// connection to exist (ErrorCode::not_found otherwise); calendar statuses, cached events
// and push channels need the calendar to exist; an export record needs its appointment.
// Lists come sorted by key.

class StateStore {
  public:
    virtual ~StateStore() = default;

    // Runs `fn`; every store call it makes (on this store, from this thread) takes effect
    // together, or none does when `fn` returns an error, throws, or a write fails. The
    // result is fn's. Nested calls join the outer transaction (a nested failure undoes
    // only the nested part, and the outer fn sees its error).
    virtual Result<void> transaction(const std::function<Result<void>()>& fn) = 0;

    // --- connections
    virtual Result<void> put_connection(const ConnectionRecord& connection) = 0;
    virtual Result<ConnectionRecord> get_connection(const std::string& id) = 0;
    virtual Result<std::vector<ConnectionRecord>> list_connections() = 0;
    // The most recently created connection of this kind and account, whatever its state.
    virtual Result<std::optional<ConnectionRecord>> find_connection(ProviderKind kind,
                                                                    const std::string& account) = 0;
    // Replaces only the sealed credentials (a rotated refresh token), so a concurrent
    // settings change is not overwritten.
    virtual Result<void> set_credentials(const std::string& connection_id,
                                         const std::string& sealed_credentials) = 0;
    // See "Disconnect and reconnect" above. Idempotent.
    virtual Result<void> disconnect_connection(const std::string& id) = 0;
    // Forgets the connection entirely, export map included (the account is gone for good).
    // Absent: no error.
    virtual Result<void> remove_connection(const std::string& id) = 0;

    // --- calendars (cursor and cached events are kept by put_calendar)
    virtual Result<void> put_calendar(const CalendarRecord& calendar) = 0;
    virtual Result<CalendarRecord> get_calendar(const std::string& connection_id,
                                                const std::string& calendar_id) = 0;
    virtual Result<std::vector<CalendarRecord>> list_calendars(
        const std::string& connection_id) = 0;
    // Drops the calendar with its cursor, cached events and status; export records that
    // name it stay (the sync service decides what a vanished export target means).
    virtual Result<void> remove_calendar(const std::string& connection_id,
                                         const std::string& calendar_id) = 0;

    // --- cached external events
    // In one transaction: on changes.full_resync the upserts replace every event held for
    // the calendar; otherwise `removals` are deleted first (unknown ids are ignored, and so
    // are ids the same set upserts), then the upserts added or replaced by Event::id (of
    // two upserts with one id the later wins). Then the cursor becomes changes.next_cursor.
    // With changes.unchanged only the cursor is written. Events are stored with
    // calendar_id set to `calendar_id` (overrides too). Fails with invalid_argument,
    // changing nothing, when an upsert has an empty id; any failure changes nothing.
    virtual Result<AppliedChanges> apply_changes(const std::string& connection_id,
                                                 const std::string& calendar_id,
                                                 const ChangeSet& changes) = 0;
    // Every cached event of the calendar (masters with their overrides), sorted by id.
    virtual Result<std::vector<Event>> load_events(const std::string& connection_id,
                                                   const std::string& calendar_id) = 0;

    // --- appointments (the host's bookings; never deleted, a cancellation is a status)
    // Stores the appointment; returns the record with its (new or kept) revision.
    virtual Result<AppointmentRecord> put_appointment(const Appointment& appointment,
                                                      Instant now) = 0;
    virtual Result<AppointmentRecord> get_appointment(const std::string& id) = 0;
    virtual Result<std::vector<AppointmentRecord>> list_appointments() = 0;
    // Those whose revision is greater than `revision`, by revision.
    virtual Result<std::vector<AppointmentRecord>> list_appointments_since(
        std::int64_t revision) = 0;

    // --- export map (see "export intent protocol" above)
    virtual Result<void> put_export(const ExportRecord& record) = 0;
    virtual Result<ExportRecord> get_export(const ExportKey& key) = 0;
    virtual Result<void> remove_export(const ExportKey& key) = 0;  // absent: no error
    virtual Result<std::vector<ExportRecord>> list_exports(const std::string& connection_id,
                                                           const std::string& calendar_id) = 0;
    virtual Result<std::vector<ExportRecord>> list_connection_exports(
        const std::string& connection_id) = 0;
    virtual Result<std::vector<ExportRecord>> list_appointment_exports(
        const std::string& appointment_id) = 0;

    // --- statuses (a connection or calendar never given one reads as never_synced)
    virtual Result<void> put_connection_status(const std::string& connection_id,
                                               const SyncStatus& status) = 0;
    virtual Result<SyncStatus> get_connection_status(const std::string& connection_id) = 0;
    // Every connection's status, by connection id (for the scheduler's next_due).
    virtual Result<std::map<std::string, SyncStatus>> list_connection_statuses() = 0;
    virtual Result<void> put_calendar_status(const std::string& connection_id,
                                             const std::string& calendar_id,
                                             const SyncStatus& status) = 0;
    // The statuses of the connection's calendars, by calendar id.
    virtual Result<std::map<std::string, SyncStatus>> list_calendar_statuses(
        const std::string& connection_id) = 0;

    // --- OAuth
    virtual Result<void> put_pending_authorization(const PendingAuthorization& pending) = 0;
    // Removes and returns the authorization begun with `state`: a state completes once.
    // not_found when unknown, already taken, or expired at `now` (expired ones are purged).
    virtual Result<PendingAuthorization> take_pending_authorization(const std::string& state,
                                                                    Instant now) = 0;
    // Records an OAuth state nonce as spent until `expires_at`. True when it was not spent
    // before; false on a replay. Nonces expired at `now` are forgotten at the same time.
    virtual Result<bool> spend_nonce(const std::string& nonce, Instant expires_at, Instant now) = 0;

    // --- push channels
    virtual Result<void> put_push_channel(const PushChannel& channel) = 0;
    virtual Result<PushChannel> get_push_channel(const std::string& channel_id) = 0;
    virtual Result<void> remove_push_channel(const std::string& channel_id) = 0;  // absent: ok
    virtual Result<std::vector<PushChannel>> list_push_channels(
        const std::string& connection_id) = 0;
    // Channels of every connection expiring before `before` (to renew them), by expiry.
    virtual Result<std::vector<PushChannel>> list_push_channels_expiring(Instant before) = 0;

    // --- the business's own settings (issue 16, item 1): its zone, sync window and
    // policies, as the JSON document the sync service makes of them (business_settings.hpp
    // in src/sync): written by SyncService::open when they differ, read by a fleet worker
    // to sync the business as its host configured it. The store keeps the text as given.
    // The defaults keep nothing (a store written before: every client and worker then
    // syncs with its own settings).
    virtual Result<void> put_business_settings(const std::string& settings_json);
    // Empty when the business never stored any.
    virtual Result<std::optional<std::string>> find_business_settings();

    // --- blocked slots (issue 16, item 5): kept per calendar as the sync service computes
    // them, so a host reads them without expanding anything again and a worker holds only
    // the calendar it syncs. They go with their calendar (remove, disconnect). On SQL
    // stores hosts may read them by SQL from the view calsync_blocked_slots (columns
    // business_id, connection_id, calendar_id, event_id, recurrence_id, start_at, end_at
    // (UTC seconds, half-open), label, all_day, tentative (0/1)); the view is for reading:
    // write only through calsync. The defaults fail with internal (a store written before
    // slots were kept).
    // Applies `changes` to the calendar's slots in one transaction; not_found when the
    // calendar is unknown; invalid_argument when a slot's range is empty or reversed, or
    // a window comes without replace_all.
    virtual Result<void> apply_slot_changes(const std::string& connection_id,
                                            const std::string& calendar_id,
                                            const SlotChanges& changes);
    // The business's slots overlapping `range` (of every calendar), in StoredSlot's order
    // (start, end, connection id, calendar id, event id, recurrence id). SQL stores read
    // only the slots starting within `range` widened back by the business's longest slot
    // (an index range), not every slot before range.end.
    virtual Result<std::vector<StoredSlot>> list_blocked_slots(const TimeRange& range);
    // The window the calendar's slots were last written whole for (SlotChanges::window);
    // empty when none was kept (never written whole with one, written by an older calsync,
    // or no such calendar).
    virtual Result<std::optional<TimeRange>> find_slot_window(const std::string& connection_id,
                                                              const std::string& calendar_id);

    // --- what a sync reads of its connection first: each part as its own call answers it
    // (the calls named in ConnectionSnapshot), but in one call, which PostgreSQL answers
    // in one round trip; a fleet worker's leased view reads so. not_found when the
    // connection is unknown. The default makes the calls one by one, and leaves the slot
    // windows unread.
    virtual Result<ConnectionSnapshot> read_connection_snapshot(const std::string& connection_id);
    // --- what an export run reads of a calendar: the calls named in ExportInputs, in one
    // call, which PostgreSQL answers in one round trip. Fails as the first failing of them
    // would. The default makes the calls one by one.
    virtual Result<ExportInputs> read_export_inputs(const std::string& connection_id,
                                                    const std::string& calendar_id);
    // --- what a sync writes as it ends, together and in one transaction: the cursors, the
    // calendars' statuses and the connection's status of `end`. A calendar no longer there
    // (a host removed it meanwhile) is passed over; not_found when the connection is
    // unknown, and then nothing is written. The default makes the calls one by one, in
    // transaction().
    virtual Result<void> put_sync_end(const std::string& connection_id, const SyncEnd& end);
};

// ---------------------------------------------------------------------------------------
// Implementations

// The business a store view opens when the options name none.
inline constexpr const char* kDefaultBusiness = "default";

// Nothing persists; thread safe (one mutex). For tests and hosts without a disk. The view
// of the default business of a new, empty memory database; views of other businesses of
// one memory database come from make_memory_fleet() (calsync/fleet.hpp).
std::unique_ptr<StateStore> make_memory_store();

struct SqliteStoreOptions {
    // The business this view reads and writes (see "Businesses" above).
    std::string business_id = kDefaultBusiness;
    // How long a write waits for another process holding the database (SQLITE_BUSY).
    std::chrono::milliseconds busy_timeout{5000};
    // PRAGMA synchronous: FULL (the default) syncs the WAL on every commit, so a
    // committed export intent or appointment survives a power cut as well as a crash;
    // NORMAL survives process crashes but may lose the last commits on power loss.
    bool sync_every_commit = true;
};

// Opens (creating when absent) the SQLite database at `path` and migrates its schema to
// the current version (PRAGMA user_version). WAL journal, foreign keys on. Refuses a
// database written by a newer calsync (ErrorCode::invalid_argument naming both versions).
// One connection, guarded by a mutex: thread safe; several processes may share the file
// (writers wait up to busy_timeout). A database of schema version 3 or older (one
// business) is migrated: its records become the default business's.
Result<std::unique_ptr<StateStore>> open_sqlite_store(const std::string& path,
                                                      const SqliteStoreOptions& options = {});

struct PostgresStoreOptions {
    // The business this view reads and writes (see "Businesses" above).
    std::string business_id = kDefaultBusiness;
    // statement_timeout of the session: a statement waiting longer (a lock held by a hung
    // peer) fails instead of blocking a worker forever. 0: no limit.
    std::chrono::milliseconds statement_timeout{30000};
};

// Connects to PostgreSQL (`conninfo`: libpq's "host=... dbname=..." or a postgresql://
// URI) and migrates the schema to the current version (table calsync_schema_version;
// concurrent openers serialise on an advisory lock). Refuses a database written by a newer
// calsync (invalid_argument naming both versions). synchronous_commit is set on for the
// session, so a committed export intent is on disk before the request it announces.
// One libpq connection per view, guarded by a mutex: thread safe (calls wait for each
// other; a transaction() holds the connection). ErrorCode::network when the server cannot
// be reached; the message never repeats a password of the conninfo.
// Built only with libpq (CALSYNC_WITH_POSTGRES); otherwise it fails with internal.
Result<std::unique_ptr<StateStore>> open_postgres_store(const std::string& conninfo,
                                                        const PostgresStoreOptions& options = {});

}  // namespace calsync
