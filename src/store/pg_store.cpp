// The SQL store and fleet on PostgreSQL: SqlStore<PgDatabase> and SqlFleet<PgDatabase>
// (sql_store.hpp, sql_fleet.hpp), and the schema's versioned migrations (table
// calsync_schema_version; version 1 is kBusinessSchema, version 2 adds event_zones, version 3
// request_budgets, version 4 business_settings, version 5 slot_windows, version 6 the work
// queue's claim order).
#include <iterator>
#include <string>

#include "store/pg_db.hpp"
#include "store/sql_fleet.hpp"
#include "store/sql_schema.hpp"
#include "store/sql_store_events.hpp"
#include "store/sql_store_exports.hpp"
#include "store/sql_store_records.hpp"
#include "store/sql_store_settings.hpp"
#include "store/sql_store_slots.hpp"

namespace calsync::store {

template class SqlStore<PgDatabase>;

namespace {

struct PgMigration {
    // cppcheck-suppress unusedStructMember ; read through kPgMigrations[v]
    const char* what;
    // cppcheck-suppress unusedStructMember ; read through kPgMigrations[v]
    std::string (*sql)();
};

// Index i holds the migration to version i + 1. Never edit a released one: add another.
// kBusinessSchema with text compared byte by byte (COLLATE "C"), as std::string and SQLite
// compare: lists come sorted by key alike whatever the database's locale.
std::string with_bytewise_text(const char* schema) {
    std::string sql = schema;
    const std::string text = " TEXT ";
    const std::string bytewise = " TEXT COLLATE \"C\" ";
    for (std::size_t at = sql.find(text); at != std::string::npos;
         at = sql.find(text, at + bytewise.size()))
        sql.replace(at, text.size(), bytewise);
    return sql;
}

std::string business_schema_bytewise() {
    return with_bytewise_text(kBusinessSchema);
}

// event_zones, filled with the references of the stored events of version 1: each
// {"zone":{"stored":"<key>"}} object stored_zones.cpp wrote (a reference to a row lost
// from zone_definitions is left out: the event fails to read either way).
std::string event_zones_bytewise() {
    return with_bytewise_text(kEventZonesSchema) + R"sql(
INSERT INTO event_zones (business_id, connection_id, calendar_id, event_id, zone_id)
SELECT DISTINCT e.business_id, e.connection_id, e.calendar_id, e.event_id, r.key[1]
FROM events AS e
CROSS JOIN LATERAL regexp_matches(e.body, '"zone":\{"stored":"([^"]*)"\}', 'g') AS r(key)
WHERE r.key[1] IN (SELECT id FROM zone_definitions);
)sql" + kDeleteUnreferencedZones;
}

std::string slot_windows_bytewise() {
    return with_bytewise_text(kSlotWindowsSchema);
}

std::string business_settings_bytewise() {
    return with_bytewise_text(kBusinessSettingsSchema);
}

std::string request_budgets_bytewise() {
    return with_bytewise_text(kRequestBudgetsSchema);
}

std::string work_queue_claim_order() {
    return kWorkQueueClaimOrder;
}

const PgMigration kPgMigrations[] = {
    {"businesses, connections, calendars, events, appointments, export map, statuses, OAuth "
     "state, push channels, blocked slots, zone definitions, work queue",
     business_schema_bytewise},
    {"the zone definitions each stored event refers to; those none refers to deleted",
     event_zones_bytewise},
    {"request budgets the fleet's workers share", request_budgets_bytewise},
    {"each business's own settings (zone, window, policies)", business_settings_bytewise},
    {"per calendar: the window its kept slots were computed for, and its longest slot",
     slot_windows_bytewise},
    {"the work queue indexed in its claim order", work_queue_claim_order},
};

const int kPgSchemaVersion = static_cast<int>(std::size(kPgMigrations));

// Brings the schema to kPgSchemaVersion in one transaction; concurrent openers (workers
// starting together) wait for each other on a transaction-scoped advisory lock.
Result<void> migrate_postgres(PgDatabase& db) {
    auto tx = db.transaction("migrate schema");
    if (!tx.ok())
        return tx.error();
    auto locked = db.exec(
        "SELECT pg_advisory_xact_lock(hashtext('calsync schema')); "
        "CREATE TABLE IF NOT EXISTS calsync_schema_version (version INTEGER NOT NULL)",
        "migrate schema");
    if (!locked.ok())
        return locked;
    auto held = db.value("SELECT coalesce(max(version), 0) FROM calsync_schema_version",
                         "read the schema version");
    if (!held.ok())
        return held.error();
    const int version = std::atoi(held->c_str());
    if (version > kPgSchemaVersion)
        return make_error(ErrorCode::invalid_argument,
                          "postgres store: the database has schema version " +
                              std::to_string(version) + ", newer than " +
                              std::to_string(kPgSchemaVersion) +
                              ", the newest this calsync knows: use a newer calsync");
    for (int v = version; v < kPgSchemaVersion; ++v) {
        const std::string what = "migrate schema to version " + std::to_string(v + 1) + " (" +
                                 kPgMigrations[v].what + ")";
        auto applied = db.exec(kPgMigrations[v].sql(), what.c_str());
        if (!applied.ok())
            return applied;
    }
    if (version != kPgSchemaVersion) {
        auto stamped = db.exec(
            "DELETE FROM calsync_schema_version; INSERT INTO "
            "calsync_schema_version VALUES (" +
                std::to_string(kPgSchemaVersion) + ")",
            "record schema version");
        if (!stamped.ok())
            return stamped;
    }
    return tx->commit();
}

Result<PgDatabase> open_postgres_database(const std::string& conninfo,
                                          const PostgresStoreOptions& options) {
    auto db = PgDatabase::connect(conninfo, options.statement_timeout);
    if (!db.ok())
        return db.error();
    auto migrated = migrate_postgres(db.value());
    if (!migrated.ok())
        return migrated.error();
    return db;
}

}  // namespace

}  // namespace calsync::store

namespace calsync {

Result<std::unique_ptr<StateStore>> open_postgres_store(const std::string& conninfo,
                                                        const PostgresStoreOptions& options) {
    auto valid = store::check_business_id(options.business_id);
    if (!valid.ok())
        return valid.error();
    auto db = store::open_postgres_database(conninfo, options);
    if (!db.ok())
        return db.error();
    return std::unique_ptr<StateStore>(std::make_unique<store::SqlStore<store::PgDatabase>>(
        std::move(db).value(), options.business_id));
}

Result<std::unique_ptr<FleetStore>> open_postgres_fleet(const std::string& conninfo,
                                                        const PostgresStoreOptions& options) {
    auto db = store::open_postgres_database(conninfo, options);
    if (!db.ok())
        return db.error();
    // The fleet's statements are planned once: the reads of a claimed batch take arrays,
    // whose custom plans (the default) were made again at every execution, planning costing
    // more than the reads. Its other statements are key lookups and the claim, whose plans
    // do not depend on their values.
    auto generic = db->exec("SET plan_cache_mode = force_generic_plan", "configure the fleet");
    if (!generic.ok())
        return generic.error();
    // Views connect without migrating again: this fleet's connection already did.
    auto connect = [conninfo, options] {
        return store::PgDatabase::connect(conninfo, options.statement_timeout);
    };
    return std::unique_ptr<FleetStore>(
        std::make_unique<store::SqlFleet<store::PgDatabase>>(std::move(db).value(), connect));
}

}  // namespace calsync
