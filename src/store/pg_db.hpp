// A thin layer over one libpq connection with the interface of sqlite_db.hpp (so SqlStore
// and SqlFleet run on either): RAII handles, statements prepared once per connection on
// first use (`?` placeholders become $1, $2 ...), text parameters and results, nested
// transactions (BEGIN ... COMMIT, SAVEPOINTs inside), and every failure as an Error naming
// the operation (the server's message names tables and constraints, never bound values).
// Not thread safe by itself: SqlStore and SqlFleet serialise access.
//
// A transaction's BEGIN (or a nested one's SAVEPOINT) is not sent on its own: it goes out
// with the transaction's first statement, in one pipeline, and a transaction that runs no
// statement sends nothing. Each round trip to the server wakes two processes; a sync's
// fenced writes were one round trip in six for their BEGIN.
//
// A statement that fails inside a transaction aborts it in PostgreSQL, where SQLite would
// carry on. The store's multi-statement writes run in a SAVEPOINT of their own, and its
// writes check their keys before they run, so a failing call inside a caller's
// transaction() normally undoes only itself; a statement the server itself refuses (a
// lost connection, a timeout) fails the caller's whole transaction, which then reports
// that error when it commits.
#pragma once

#include <libpq-fe.h>

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

class PgDatabase;

struct PgConnectionCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultClearer {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnectionPtr = std::unique_ptr<PGconn, PgConnectionCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

// One execution of a prepared statement: bind in order, then step through its rows (the
// first step() executes it) or run() it.
class PgQuery : public QueryRows<PgQuery> {
  public:
    PgQuery(PgDatabase* db, std::string statement, const char* operation)
        : db_(db), statement_(std::move(statement)), operation_(operation) {}

    PgQuery& bind(std::string_view text) {
        params_.emplace_back(std::string(text));
        return *this;
    }
    PgQuery& bind(const char* text) { return bind(std::string_view(text)); }
    PgQuery& bind(const std::string& text) { return bind(std::string_view(text)); }
    PgQuery& bind(std::int64_t value) { return bind(std::to_string(value)); }
    PgQuery& bind(int value) { return bind(static_cast<std::int64_t>(value)); }
    PgQuery& bind(bool value) { return bind(value ? "1" : "0"); }
    PgQuery& bind(Instant t) { return bind(to_unix(t)); }
    PgQuery& bind(const std::optional<Instant>& t) {
        if (t)
            return bind(*t);
        params_.emplace_back(std::nullopt);
        return *this;
    }

    Result<bool> step();  // true: a row is ready
    Result<void> run();   // executes (once) and leaves the rows unread

    int changes() const;

    std::string text(int column) const;
    std::int64_t integer(int column) const;
    bool boolean(int column) const { return integer(column) != 0; }
    Instant instant(int column) const { return instant_from_unix(integer(column)); }
    std::optional<Instant> optional_instant(int column) const;
    bool is_null(int column) const { return PQgetisnull(result_.get(), row_, column) != 0; }

  private:
    friend class PgDatabase;
    Result<void> execute();
    std::vector<const char*> values() const;

    PgDatabase* db_;
    std::string statement_;
    const char* operation_;
    std::vector<std::optional<std::string>> params_;
    PgResultPtr result_;
    int row_ = -1;
};

class PgDatabase {
  public:
    using Query = PgQuery;
    // The claim skips rows another worker is claiming; a fenced write share-locks its queue
    // row until it commits, so no claim can slip between the fence check and the write.
    // Zone definitions alike: a write share-locks the rows it refers to, and collection
    // skips them (sql_store_events.hpp).
    static constexpr const char* kLockForShare = " FOR SHARE";
    static constexpr const char* kSkipLocked = " FOR UPDATE SKIP LOCKED";

    // Connects, and sets the session up: synchronous_commit on, the statement timeout, UTC.
    static Result<PgDatabase> connect(const std::string& conninfo,
                                      std::chrono::milliseconds statement_timeout);

    PGconn* handle() const { return connection_.get(); }
    // No transaction open and the session healthy: fit to be kept for another view.
    bool idle() const;
    // Runs SQL without parameters, possibly several statements.
    Result<void> exec(const std::string& sql, const char* operation);
    // The single value of a SELECT, as text ("" when there is no row).
    Result<std::string> value(const std::string& sql, const char* operation);
    // A statement prepared on this connection (once) for `sql` with `?` placeholders.
    Result<Query> query(const char* sql, const char* operation);
    // Executes bound queries that do not depend on one another in one round trip, outside
    // a transaction; their rows are then stepped through as usual. A query the pipeline
    // could not run (an error, an earlier one's error, a transaction's BEGIN not yet sent)
    // is left to run, and report, when it is first stepped.
    void run_together(std::initializer_list<Query*> queries);

    // BEGIN ... COMMIT; nested ones are SAVEPOINTs.
    using Transaction = NestedTransaction<PgDatabase>;
    Result<Transaction> transaction(const char* operation);

  private:
    friend class NestedTransaction<PgDatabase>;
    friend class PgQuery;
    explicit PgDatabase(PgConnectionPtr c) : connection_(std::move(c)) {}
    void rollback();
    Result<void> commit_level(const char* operation, bool* closed);
    // Executes the prepared statement `name`, after the begins not yet sent, in one pipeline.
    PgResultPtr execute_prepared(const std::string& name, const std::vector<const char*>& values);
    struct PreparedCall {
        const std::string* name;
        std::vector<const char*> values;
    };
    // Sends the begins not yet sent, then `calls`, in one pipeline; the result of each call
    // (null when the connection failed). A failed begin's result stands in for the first
    // call's, whose own answer is then PGRES_PIPELINE_ABORTED.
    std::vector<PgResultPtr> pipeline(const std::vector<PreparedCall>& calls);
    // `sql` after the begins not yet sent, as one multi-statement text.
    std::string with_unsent_begins(const std::string& sql);

    PgConnectionPtr connection_;
    std::unordered_map<std::string, std::string> statements_;  // SQL -> prepared name
    int depth_ = 0;
    // BEGIN / SAVEPOINT of the innermost levels, not yet sent: always the last levels.
    std::vector<std::string> unsent_begins_;
};

// The error of a failed result (or of the connection, when there is no result).
Error pg_error(PGconn* connection, const PGresult* result, const char* operation);

}  // namespace calsync::store
