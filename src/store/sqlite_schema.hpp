// The SQLite schema as an ordered list of migrations; PRAGMA user_version is the number
// of the last one applied. A migration is never edited once released: a change is a new
// migration at the end.
#pragma once

#include "calsync/store.hpp"
#include "store/sqlite_db.hpp"

namespace calsync::store {

// The version this library writes.
int sqlite_schema_version();

// Journal, foreign keys, synchronous and busy timeout for this connection.
Result<void> configure_connection(Database& db, const SqliteStoreOptions& options);

// Brings the schema to sqlite_schema_version() in one transaction (several processes may
// open a new file at once). Refuses a file written by a newer schema, or another
// application's database.
Result<void> migrate(Database& db);

}  // namespace calsync::store
