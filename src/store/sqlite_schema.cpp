#include "store/sqlite_schema.hpp"

#include <iterator>

#include "store/sql_schema.hpp"

namespace calsync::store {
namespace {

// "cals": marks the file as calsync's, so another program's database is not migrated.
constexpr int kApplicationId = 0x63616c73;

struct Migration {
    const char* what;
    const char* sql[3];  // run in turn; the rest null
};

// The zone references of the stored events of version 4, read out of their bodies: each
// {"zone":{"stored":"<key>"}} object stored_zones.cpp wrote (a reference to a row lost
// from zone_definitions is left out: the event fails to read either way).
constexpr const char* kFillEventZones = R"sql(
INSERT OR IGNORE INTO event_zones (business_id, connection_id, calendar_id, event_id, zone_id)
SELECT DISTINCT e.business_id, e.connection_id, e.calendar_id, e.event_id, r.value
FROM events AS e, json_tree(e.body) AS r
WHERE r.key = 'stored' AND r.type = 'text' AND r.path LIKE '%.zone'
    AND r.value IN (SELECT id FROM zone_definitions);
)sql";

// The version of kBusinessSchema: a new file starts there, skipping the versions before.
constexpr int kBusinessVersion = 4;

// Index i holds the migration to version i + 1.
constexpr Migration kMigrations[] = {
    {"connections, calendars, cached events, appointments, export map, connection status", {R"sql(
CREATE TABLE connections (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    sealed_credentials TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX connections_by_account ON connections (kind, account, created_at);

CREATE TABLE calendars (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    can_write INTEGER NOT NULL,
    is_primary INTEGER NOT NULL,
    selected INTEGER NOT NULL,
    direction TEXT NOT NULL,
    tentative_blocks INTEGER NOT NULL,
    unanswered_blocks INTEGER NOT NULL,
    all_day_blocks INTEGER NOT NULL,
    cursor TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (connection_id, calendar_id)
);

CREATE TABLE events (
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (connection_id, calendar_id, event_id),
    FOREIGN KEY (connection_id, calendar_id)
        REFERENCES calendars (connection_id, calendar_id) ON DELETE CASCADE
);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    vehicle TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL UNIQUE,
    updated_at INTEGER NOT NULL
);

CREATE TABLE exports (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    intent TEXT NOT NULL,
    intent_hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, connection_id, calendar_id)
);
CREATE INDEX exports_by_calendar ON exports (connection_id, calendar_id);

CREATE TABLE connection_status (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    last_attempt INTEGER,
    last_success INTEGER,
    last_error TEXT NOT NULL,
    events_read INTEGER NOT NULL,
    events_exported INTEGER NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    next_due INTEGER
);
)sql"}},
    {"calendar status, OAuth pending authorizations and spent nonces, push channels", {R"sql(
CREATE TABLE calendar_status (
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    state TEXT NOT NULL,
    last_attempt INTEGER,
    last_success INTEGER,
    last_error TEXT NOT NULL,
    events_read INTEGER NOT NULL,
    events_exported INTEGER NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    next_due INTEGER,
    PRIMARY KEY (connection_id, calendar_id),
    FOREIGN KEY (connection_id, calendar_id)
        REFERENCES calendars (connection_id, calendar_id) ON DELETE CASCADE
);

CREATE TABLE pending_authorizations (
    state TEXT PRIMARY KEY NOT NULL,
    connection_id TEXT NOT NULL,
    sealed_code_verifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE spent_nonces (
    nonce TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX spent_nonces_by_expiry ON spent_nonces (expires_at);

CREATE TABLE push_channels (
    channel_id TEXT PRIMARY KEY NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    sealed_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    FOREIGN KEY (connection_id, calendar_id)
        REFERENCES calendars (connection_id, calendar_id) ON DELETE CASCADE
);
CREATE INDEX push_channels_by_calendar ON push_channels (connection_id, calendar_id);
CREATE INDEX push_channels_by_expiry ON push_channels (expires_at);
)sql"}},
    {"export generation (which creation of an appointment's event a record is about)", {R"sql(
ALTER TABLE exports ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
)sql"}},
    // Version 4 (many businesses) is kBusinessSchema, filled from these tables: see
    // migrate_to_businesses().
    {"many businesses: every key starts with a business id; the work queue", {nullptr}},
    {"the zone definitions each stored event refers to; those none refers to deleted",
     {kEventZonesSchema, kFillEventZones, kDeleteUnreferencedZones}},
    {"request budgets the fleet's workers share", {kRequestBudgetsSchema}},
    {"each business's own settings (zone, window, policies)", {kBusinessSettingsSchema}},
    {"per calendar: the window its kept slots were computed for, and its longest slot",
     {kSlotWindowsSchema}},
    {"the work queue indexed in its claim order", {kWorkQueueClaimOrder}},
};

// The single-business tables of versions 1-3, renamed aside (their foreign keys follow
// them), their indexes dropped (the new ones reuse the names).
constexpr const char* kSetAsideVersion3 = R"sql(
DROP INDEX connections_by_account;
DROP INDEX exports_by_calendar;
DROP INDEX spent_nonces_by_expiry;
DROP INDEX push_channels_by_calendar;
DROP INDEX push_channels_by_expiry;
ALTER TABLE connections RENAME TO v3_connections;
ALTER TABLE calendars RENAME TO v3_calendars;
ALTER TABLE events RENAME TO v3_events;
ALTER TABLE appointments RENAME TO v3_appointments;
ALTER TABLE exports RENAME TO v3_exports;
ALTER TABLE connection_status RENAME TO v3_connection_status;
ALTER TABLE calendar_status RENAME TO v3_calendar_status;
ALTER TABLE pending_authorizations RENAME TO v3_pending_authorizations;
ALTER TABLE spent_nonces RENAME TO v3_spent_nonces;
ALTER TABLE push_channels RENAME TO v3_push_channels;
)sql";

// Every record of the single-business tables becomes the default business's; then they go
// (children first, so their cascades find nothing left).
constexpr const char* kFillFromVersion3 = R"sql(
INSERT INTO connections SELECT 'default', id, kind, account, settings_json, sealed_credentials,
    state, created_at FROM v3_connections;
INSERT INTO calendars SELECT 'default', connection_id, calendar_id, name, color, time_zone,
    can_write, is_primary, selected, direction, tentative_blocks, unanswered_blocks,
    all_day_blocks, cursor FROM v3_calendars;
INSERT INTO events SELECT 'default', connection_id, calendar_id, event_id, body FROM v3_events;
INSERT INTO appointments SELECT 'default', id, start_at, end_at, client, service, vehicle, notes,
    status, revision, updated_at FROM v3_appointments;
INSERT INTO businesses SELECT 'default', max(revision) FROM v3_appointments HAVING count(*) > 0;
INSERT INTO exports SELECT 'default', appointment_id, connection_id, calendar_id, remote_id, etag,
    content_hash, intent, intent_hash, updated_at, generation FROM v3_exports;
INSERT INTO connection_status SELECT 'default', connection_id, state, last_attempt, last_success,
    last_error, events_read, events_exported, consecutive_failures, next_due
    FROM v3_connection_status;
INSERT INTO calendar_status SELECT 'default', connection_id, calendar_id, state, last_attempt,
    last_success, last_error, events_read, events_exported, consecutive_failures, next_due
    FROM v3_calendar_status;
INSERT INTO pending_authorizations SELECT 'default', state, connection_id, sealed_code_verifier,
    expires_at FROM v3_pending_authorizations;
INSERT INTO spent_nonces SELECT 'default', nonce, expires_at FROM v3_spent_nonces;
INSERT INTO push_channels SELECT 'default', channel_id, connection_id, calendar_id, resource_id,
    sealed_token, expires_at FROM v3_push_channels;
DROP TABLE v3_push_channels;
DROP TABLE v3_spent_nonces;
DROP TABLE v3_pending_authorizations;
DROP TABLE v3_calendar_status;
DROP TABLE v3_connection_status;
DROP TABLE v3_exports;
DROP TABLE v3_events;
DROP TABLE v3_calendars;
DROP TABLE v3_appointments;
DROP TABLE v3_connections;
)sql";

Result<void> migrate_to_businesses(Database& db, int from, const char* what) {
    if (from == 0)  // a new file: the business schema is all there is to make
        return db.exec(kBusinessSchema, what);
    for (const char* sql : {kSetAsideVersion3, kBusinessSchema, kFillFromVersion3}) {
        auto done = db.exec(sql, what);
        if (!done.ok())
            return done;
    }
    return {};
}

Result<int> integer_pragma(Database& db, const char* name) {
    auto v = db.value(std::string("PRAGMA ") + name, name);
    if (!v.ok())
        return v.error();
    return std::stoi(v.value().empty() ? "0" : v.value());
}

}  // namespace

int sqlite_schema_version() {
    return static_cast<int>(std::size(kMigrations));
}

Result<void> configure_connection(Database& db, const SqliteStoreOptions& options) {
    sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout.count()));
    // Foreign keys are off by default in every new SQLite connection.
    auto r = db.exec("PRAGMA foreign_keys = ON", "enable foreign keys");
    if (!r.ok())
        return r;
    auto fk = integer_pragma(db, "foreign_keys");
    if (!fk.ok())
        return fk.error();
    if (fk.value() != 1)
        return make_error(ErrorCode::internal,
                          "sqlite store: this SQLite cannot enforce foreign keys");
    // WAL: readers never block the writer, and a commit is one append to the log, which
    // a crash at any point leaves either whole or ignored.
    auto mode = db.value("PRAGMA journal_mode = WAL", "enable WAL");
    if (!mode.ok())
        return mode.error();
    if (mode.value() != "wal" && mode.value() != "memory")
        return make_error(
            ErrorCode::internal,
            "sqlite store: enable WAL: the database stays in journal mode '" + mode.value() + "'");
    return db.exec(
        options.sync_every_commit ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
        "set synchronous");
}

Result<void> migrate(Database& db) {
    auto tx = db.transaction("migrate schema");
    if (!tx.ok())
        return tx.error();
    auto version = integer_pragma(db, "user_version");
    if (!version.ok())
        return version.error();
    auto app = integer_pragma(db, "application_id");
    if (!app.ok())
        return app.error();
    const int latest = sqlite_schema_version();
    if (app.value() != 0 && app.value() != kApplicationId)
        return make_error(ErrorCode::invalid_argument,
                          "sqlite store: the file is another application's database "
                          "(application_id " +
                              std::to_string(app.value()) + ")");
    if (version.value() > latest)
        return make_error(ErrorCode::invalid_argument,
                          "sqlite store: the database has schema version " +
                              std::to_string(version.value()) + ", newer than " +
                              std::to_string(latest) +
                              ", the newest this calsync knows: use a newer calsync");
    if (version.value() == latest)
        return tx->commit();
    if (version.value() == 0 && app.value() == 0) {
        auto tables = db.value("SELECT count(*) FROM sqlite_master", "inspect schema");
        if (!tables.ok())
            return tables.error();
        if (tables.value() != "0")
            return make_error(ErrorCode::invalid_argument,
                              "sqlite store: the file holds another application's tables");
    }
    for (int v = version.value(); v < latest; ++v) {
        if (version.value() == 0 && v + 1 < kBusinessVersion)
            continue;  // a new file skips the single-business versions
        const std::string what = std::string("migrate schema to version ") + std::to_string(v + 1) +
                                 " (" + kMigrations[v].what + ")";
        if (v + 1 == kBusinessVersion) {
            auto applied = migrate_to_businesses(db, version.value() == 0 ? 0 : v, what.c_str());
            if (!applied.ok())
                return applied;
            continue;
        }
        for (const char* sql : kMigrations[v].sql) {
            if (sql == nullptr)
                break;
            auto applied = db.exec(sql, what.c_str());
            if (!applied.ok())
                return applied.error();
        }
    }
    auto stamped = db.exec("PRAGMA user_version = " + std::to_string(latest) +
                               "; PRAGMA application_id = " + std::to_string(kApplicationId),
                           "record schema version");
    if (!stamped.ok())
        return stamped;
    return tx->commit();
}

}  // namespace calsync::store
