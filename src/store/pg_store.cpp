// The SQL store and fleet on PostgreSQL: SqlStore<PgDatabase> and SqlFleet<PgDatabase>
// (sql_store.hpp, sql_fleet.hpp), and the schema's versioned migrations (table
// calsync_schema_version; version 1 is kBusinessSchema).
#include <iterator>

#include "store/pg_db.hpp"
#include "store/sql_fleet.hpp"
#include "store/sql_schema.hpp"
#include "store/sql_store_events.hpp"
#include "store/sql_store_exports.hpp"
#include "store/sql_store_records.hpp"

namespace calsync::store {

template class SqlStore<PgDatabase>;

namespace {

struct PgMigration {
    const char* what;
    const char* sql;
};

// Index i holds the migration to version i + 1. Never edit a released one: add another.
constexpr PgMigration kPgMigrations[] = {
    {"businesses, connections, calendars, events, appointments, export map, statuses, OAuth "
     "state, push channels, work queue",
     kBusinessSchema},
};

constexpr int kPgSchemaVersion = static_cast<int>(std::size(kPgMigrations));

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
        auto applied = db.exec(kPgMigrations[v].sql, what.c_str());
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
    // Views connect without migrating again: this fleet's connection already did.
    auto connect = [conninfo, options] {
        return store::PgDatabase::connect(conninfo, options.statement_timeout);
    };
    return std::unique_ptr<FleetStore>(
        std::make_unique<store::SqlFleet<store::PgDatabase>>(std::move(db).value(), connect));
}

}  // namespace calsync
