// A thin layer over one sqlite3 connection: RAII handles, cached prepared statements used
// through a Query that resets them, nested transactions, and every failure as an Error
// naming the operation (SQLite's messages name tables and columns, never bound values).
// Not thread safe by itself: SqliteStore serialises access.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/result.hpp"
#include "store/nested_transaction.hpp"
#include "store/query_rows.hpp"

namespace calsync::store {

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

Error sqlite_error(sqlite3* db, int rc, const char* operation);

// One use of a prepared statement: bind in order, step, read columns. The statement is
// reset and its bindings cleared when the Query ends, ready for the next use.
class Query : public QueryRows<Query> {
  public:
    Query(sqlite3* db, sqlite3_stmt* statement, const char* operation);
    Query(Query&& other) noexcept;
    Query& operator=(Query&&) = delete;
    ~Query();

    Query& bind(std::string_view text);
    Query& bind(const char* text) { return bind(std::string_view(text)); }
    Query& bind(const std::string& text) { return bind(std::string_view(text)); }
    Query& bind(std::int64_t value);
    Query& bind(int value) { return bind(static_cast<std::int64_t>(value)); }
    Query& bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }
    Query& bind(Instant t) { return bind(to_unix(t)); }
    Query& bind(const std::optional<Instant>& t);

    Result<bool> step();  // true: a row is ready
    Result<void> run();   // steps to the end
    // pg_db.hpp's write sent with the next round trip: in process, run().
    Result<void> run_batched() { return run(); }

    int changes() const { return sqlite3_changes(db_); }

    std::string text(int column) const;
    std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
    bool boolean(int column) const { return integer(column) != 0; }
    Instant instant(int column) const { return instant_from_unix(integer(column)); }
    std::optional<Instant> optional_instant(int column) const;
    bool is_null(int column) const {
        return sqlite3_column_type(statement_, column) == SQLITE_NULL;
    }

  private:
    void note(int rc);

    sqlite3* db_;
    sqlite3_stmt* statement_;
    const char* operation_;
    int next_ = 1;
    int bind_rc_ = SQLITE_OK;
};

class Database {
  public:
    using Query = store::Query;
    // SQLite has no row locks: BEGIN IMMEDIATE already admits one writer at a time.
    static constexpr const char* kLockForShare = "";
    static constexpr const char* kSkipLocked = "";
    // In process: no round trips to save.
    static constexpr bool kPipelines = false;
    // No data-modifying WITH: a leased sync's end is a transaction of several statements.
    static constexpr bool kWritingCtes = false;
    // No array parameters: many rows are a statement each (in process, each is cheap).
    static constexpr bool kArrayParameters = false;
    // A write of one statement that reads first still takes BEGIN IMMEDIATE: in autocommit
    // its read would upgrade to a write and could fail busy where a wait would do.
    static constexpr bool kOneStatementWriteNeedsTransaction = true;

    // Opens or creates the file (no pragmas, no schema: see sqlite_schema.hpp).
    static Result<Database> open(const std::string& path);

    sqlite3* handle() const { return db_.get(); }
    // No transaction open: fit to be kept for another view.
    bool idle() const;
    // Runs SQL without parameters, possibly several statements.
    Result<void> exec(const std::string& sql, const char* operation);
    // The single value of a PRAGMA or SELECT, as text.
    Result<std::string> value(const std::string& sql, const char* operation);
    // A cached prepared statement for `sql`.
    Result<Query> query(const char* sql, const char* operation);
    // pg_db.hpp's batch of independent queries: in process, each simply runs when stepped.
    void run_together(const std::vector<Query*>& /*queries*/) {}
    bool in_transaction() const { return depth_ > 0; }

    // The outermost transaction is BEGIN IMMEDIATE (the write lock up front, so two
    // processes never deadlock upgrading a read) ... COMMIT; nested ones are SAVEPOINTs.
    using Transaction = NestedTransaction<Database>;
    Result<Transaction> transaction(const char* operation);

  private:
    friend class NestedTransaction<Database>;
    explicit Database(SqlitePtr db) : db_(std::move(db)) {}
    void rollback();
    Result<void> commit_level(const char* operation, bool* closed);

    SqlitePtr db_;
    std::unordered_map<std::string, StatementPtr> statements_;
    int depth_ = 0;
};

}  // namespace calsync::store
