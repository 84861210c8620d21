// A thin layer over one libpq connection with the interface of sqlite_db.hpp (so SqlStore
// and SqlFleet run on either): RAII handles, statements prepared once per connection on
// first use (`?` placeholders become $1, $2 ...), text parameters and results, nested
// transactions (BEGIN ... COMMIT, SAVEPOINTs inside), and every failure as an Error naming
// the operation (the server's message names tables and constraints, never bound values).
// Not thread safe by itself: SqlStore and SqlFleet serialise access.
//
// Round trips are saved where the answer can wait (each wakes two processes): a
// transaction's BEGIN (or a nested one's SAVEPOINT) goes out with its first statement, in
// one pipeline, and a level that runs no statement sends nothing; writes whose answer the
// caller does not need (PgQuery::run_batched) go out with the next statement or the
// level's commit; independent reads go out together (run_together).
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

    // An array, as PostgreSQL's array literal; an element without a value is NULL. The statement
    // casts the parameter to the array type it reads.
    PgQuery& bind_array(const std::vector<std::optional<std::string>>& elements);

    Result<bool> step();  // true: a row is ready
    Result<void> run();   // executes (once) and leaves the rows unread
    // Runs a write whose answer the caller does not need (changes() is then 0). Inside a
    // transaction it goes out with the connection's next round trip; a failure is reported
    // by the call that makes that round trip, at the latest by the level's commit, which then
    // fails, so the level is rolled back whole. Outside one: run().
    Result<void> run_batched();

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
    bool batched_ = false;         // handed to run_batched()
    std::optional<Error> failed_;  // its answer in run_together(), when it was an error
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
    // Sends several statements in one round trip (run_together).
    static constexpr bool kPipelines = true;
    // Data-modifying WITH: a leased sync's end is one statement (SqlStore::end_leased_sync).
    static constexpr bool kWritingCtes = true;
    // A column of values binds as one array parameter (bind_array), so many rows go in one
    // statement.
    static constexpr bool kArrayParameters = true;
    // A statement on its own is a transaction, its row locks held to its end.
    static constexpr bool kOneStatementWriteNeedsTransaction = false;

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
    // Executes bound queries that do not depend on one another in one round trip (after
    // anything pending); their rows and counts are then read as usual. Outside a
    // transaction a query the pipeline could not run (its error, an earlier one's) runs
    // again, and reports, when it is first stepped; inside one it reports the first error.
    void run_together(const std::vector<Query*>& queries);
    bool in_transaction() const { return depth_ > 0; }

    // BEGIN ... COMMIT; nested ones are SAVEPOINTs.
    using Transaction = NestedTransaction<PgDatabase>;
    Result<Transaction> transaction(const char* operation);

  private:
    friend class NestedTransaction<PgDatabase>;
    friend class PgQuery;
    explicit PgDatabase(PgConnectionPtr c) : connection_(std::move(c)) {}
    void rollback();
    Result<void> commit_level(const char* operation, bool* closed);
    // What waits to go out with the connection's next round trip, in order: the BEGIN or
    // SAVEPOINT of a level that ran no statement yet, the RELEASE of a level committed with
    // nothing pending (`command`), and batched writes.
    struct Pending {
        int level;            // the level it belongs to (depth_): its rollback drops it
        std::string command;  // empty for a write:
        std::string statement;
        std::vector<std::optional<std::string>> params;
        const char* operation;
        bool begins_level;  // a BEGIN / SAVEPOINT
    };
    // A prepared statement with its values, or (statement null) a command's text.
    struct PipelineCall {
        const std::string* statement;
        std::vector<const char*> values;
        std::string command;
    };
    struct PipelineOutcome {
        bool delivered = false;                  // every answer came, the sync's last
        PgResultPtr failed;                      // the first pending item's failure
        const char* failed_operation = nullptr;  // a write's operation; null for a begin
        std::vector<PgResultPtr> answers;        // each call's
    };
    // Sends what is pending, then `calls`, in one round trip.
    PipelineOutcome pipeline(const std::vector<PipelineCall>& calls);
    // The prepared statement `name` executed, after what is pending; `failed_operation` is
    // set when the failure returned is a pending write's.
    PgResultPtr execute_prepared(const std::string& name, const std::vector<const char*>& values,
                                 const char** failed_operation);
    // Sends what is pending; the first failure.
    Result<void> flush(const char* operation);
    // `sql` as one text after what is pending: pending writes go out first, on their own;
    // the begins go in front of `sql`.
    Result<std::string> after_pending(const std::string& sql, const char* operation);

    PgConnectionPtr connection_;
    std::unordered_map<std::string, std::string> statements_;  // SQL -> prepared name
    int depth_ = 0;
    std::vector<Pending> pending_;
};

// The error of a failed result (or of the connection, when there is no result).
Error pg_error(PGconn* connection, const PGresult* result, const char* operation);

}  // namespace calsync::store
