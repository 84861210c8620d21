// The SQL store and fleet on SQLite: SqlStore<Database> and SqlFleet<Database>
// (sql_store.hpp, sql_fleet.hpp); the schema and its migrations: sqlite_schema.cpp.
#include "store/sql_fleet.hpp"
#include "store/sql_store_events.hpp"
#include "store/sql_store_exports.hpp"
#include "store/sql_store_records.hpp"
#include "store/sql_store_settings.hpp"
#include "store/sql_store_slots.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_schema.hpp"

namespace calsync::store {

template class SqlStore<Database>;

namespace {

Result<Database> open_sqlite_database(const std::string& path, const SqliteStoreOptions& options) {
    auto db = Database::open(path);
    if (!db.ok())
        return db.error();
    auto configured = configure_connection(db.value(), options);
    if (!configured.ok())
        return configured.error();
    auto migrated = migrate(db.value());
    if (!migrated.ok())
        return migrated.error();
    return db;
}

}  // namespace

std::string upsert_sql(const char* table, const char* key_columns, const char* columns) {
    std::string all = std::string(key_columns) + ", " + columns;
    std::string marks = "?";
    for (char ch : all) {
        if (ch == ',')
            marks += ", ?";
    }
    return "INSERT INTO " + std::string(table) + " (" + all + ") VALUES (" + marks +
           ") ON CONFLICT (" + key_columns + ") DO UPDATE SET " + excluded_assignments(columns);
}

std::string excluded_assignments(const char* columns) {
    std::string set;
    std::string_view rest = columns;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view column = rest.substr(0, comma);
        while (!column.empty() && column.front() == ' ')
            column.remove_prefix(1);
        if (!set.empty())
            set += ", ";
        set += std::string(column) + " = excluded." + std::string(column);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return set;
}

}  // namespace calsync::store

namespace calsync {

Result<std::unique_ptr<StateStore>> open_sqlite_store(const std::string& path,
                                                      const SqliteStoreOptions& options) {
    auto valid = store::check_business_id(options.business_id);
    if (!valid.ok())
        return valid.error();
    auto db = store::open_sqlite_database(path, options);
    if (!db.ok())
        return db.error();
    return std::unique_ptr<StateStore>(std::make_unique<store::SqlStore<store::Database>>(
        std::move(db).value(), options.business_id));
}

Result<std::unique_ptr<FleetStore>> open_sqlite_fleet(const std::string& path,
                                                      const SqliteStoreOptions& options) {
    auto db = store::open_sqlite_database(path, options);
    if (!db.ok())
        return db.error();
    auto connect = [path, options] { return store::open_sqlite_database(path, options); };
    return std::unique_ptr<FleetStore>(
        std::make_unique<store::SqlFleet<store::Database>>(std::move(db).value(), connect));
}

}  // namespace calsync
