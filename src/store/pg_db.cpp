#include "store/pg_db.hpp"

#include <algorithm>
#include <cstdlib>

#include "store/store_checks.hpp"

namespace calsync::store {

Error pg_error(PGconn* connection, const PGresult* result, const char* operation) {
    std::string detail;
    const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (result != nullptr)
        detail = PQresultErrorMessage(result);
    if (detail.empty() && connection != nullptr)
        detail = PQerrorMessage(connection);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' '))
        detail.pop_back();
    std::string message = "postgres store: " + could_not(operation, detail);
    ErrorCode code = ErrorCode::internal;
    if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
        code = ErrorCode::network;
    } else if (state != nullptr) {
        message += std::string(" (SQLSTATE ") + state + ")";
        const std::string_view s(state);
        // Serialization failure, deadlock: the same call may succeed when tried again.
        if (s == "40001" || s == "40P01")
            code = ErrorCode::conflict;
    }
    return make_error(code, std::move(message));
}

std::vector<const char*> PgQuery::values() const {
    std::vector<const char*> values(params_.size());
    std::transform(params_.begin(), params_.end(), values.begin(),
                   [](const std::optional<std::string>& p) { return p ? p->c_str() : nullptr; });
    return values;
}

Result<void> PgQuery::execute() {
    result_ = db_->execute_prepared(statement_, values());
    const ExecStatusType status =
        result_ == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result_.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        Error e = pg_error(db_->handle(), result_.get(), operation_);
        result_.reset();
        return e;
    }
    return {};
}

Result<bool> PgQuery::step() {
    if (result_ == nullptr) {
        auto done = execute();
        if (!done.ok())
            return done.error();
    }
    if (row_ + 1 >= PQntuples(result_.get()))
        return false;
    ++row_;
    return true;
}

Result<void> PgQuery::run() {
    if (result_ != nullptr)
        return {};
    return execute();
}

int PgQuery::changes() const {
    if (result_ == nullptr)
        return 0;
    return std::atoi(PQcmdTuples(result_.get()));
}

std::string PgQuery::text(int column) const {
    const char* v = PQgetvalue(result_.get(), row_, column);
    return std::string(v, static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
}

std::int64_t PgQuery::integer(int column) const {
    return std::strtoll(PQgetvalue(result_.get(), row_, column), nullptr, 10);
}

std::optional<Instant> PgQuery::optional_instant(int column) const {
    if (is_null(column))
        return std::nullopt;
    return instant(column);
}

Result<PgDatabase> PgDatabase::connect(const std::string& conninfo,
                                       std::chrono::milliseconds statement_timeout) {
    PgConnectionPtr c(PQconnectdb(conninfo.c_str()));
    if (c == nullptr)
        return make_error(ErrorCode::internal, "postgres store: connect: out of memory");
    if (PQstatus(c.get()) != CONNECTION_OK)
        return pg_error(c.get(), nullptr, "connect");
    PgDatabase db(std::move(c));
    // synchronous_commit on: a commit returns once its WAL is on disk, so a committed export
    // intent survives a server crash (the protocol's step 1 before step 2).
    auto set = db.exec(
        "SET synchronous_commit = on; SET client_min_messages = warning; "
        "SET TIME ZONE 'UTC'; SET statement_timeout = " +
            std::to_string(statement_timeout.count()),
        "configure the session");
    if (!set.ok())
        return set.error();
    return db;
}

bool PgDatabase::idle() const {
    return depth_ == 0 && PQstatus(connection_.get()) == CONNECTION_OK &&
           PQtransactionStatus(connection_.get()) == PQTRANS_IDLE &&
           PQpipelineStatus(connection_.get()) == PQ_PIPELINE_OFF;
}

std::string PgDatabase::with_unsent_begins(const std::string& sql) {
    std::string text;
    for (const std::string& begin : unsent_begins_)
        text += begin + "; ";
    unsent_begins_.clear();
    return text + sql;
}

PgResultPtr PgDatabase::execute_prepared(const std::string& name,
                                         const std::vector<const char*>& values) {
    if (unsent_begins_.empty())
        return PgResultPtr(PQexecPrepared(connection_.get(), name.c_str(),
                                          static_cast<int>(values.size()), values.data(), nullptr,
                                          nullptr, 0));
    return std::move(pipeline({PreparedCall{&name, values}}).front());
}

std::vector<PgResultPtr> PgDatabase::pipeline(const std::vector<PreparedCall>& calls) {
    PGconn* c = connection_.get();
    std::vector<PgResultPtr> answers(calls.size());
    // Sent now, whatever comes of them: a failed BEGIN is reported as the first call's
    // failure, and the level's rollback then finds no transaction, which the server only
    // warns about.
    std::vector<std::string> begins;
    begins.swap(unsent_begins_);
    if (PQenterPipelineMode(c) != 1)
        return answers;
    bool sent = true;
    for (const std::string& begin : begins)
        sent = sent &&
               PQsendQueryParams(c, begin.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    for (const PreparedCall& call : calls)
        sent =
            sent && PQsendQueryPrepared(c, call.name->c_str(), static_cast<int>(call.values.size()),
                                        call.values.data(), nullptr, nullptr, 0) == 1;
    sent = sent && PQpipelineSync(c) == 1;
    if (!sent)
        return answers;  // the connection is gone; idle() keeps it out of the pool
    // Each query's results end with a null; after an error the later queries answer
    // PGRES_PIPELINE_ABORTED; the sync's result ends the pipeline.
    const std::size_t queries = begins.size() + calls.size();
    std::size_t index = 0;
    PgResultPtr failed_begin;
    for (;;) {
        PgResultPtr r(PQgetResult(c));
        if (r == nullptr) {
            if (index >= queries)
                break;  // no sync is coming: the connection was lost
            ++index;
            continue;
        }
        const ExecStatusType status = PQresultStatus(r.get());
        if (status == PGRES_PIPELINE_SYNC)
            break;
        if (index < begins.size()) {
            if (status != PGRES_COMMAND_OK && failed_begin == nullptr)
                failed_begin = std::move(r);
        } else if (index < queries && answers[index - begins.size()] == nullptr) {
            answers[index - begins.size()] = std::move(r);
        }
    }
    PQexitPipelineMode(c);
    if (failed_begin != nullptr && !answers.empty())
        answers.front() = std::move(failed_begin);
    return answers;
}

void PgDatabase::run_together(std::initializer_list<Query*> queries) {
    if (!unsent_begins_.empty())
        return;  // each runs, and reports, on its own
    std::vector<PreparedCall> calls;
    for (Query* q : queries)
        calls.push_back(PreparedCall{&q->statement_, q->values()});
    std::vector<PgResultPtr> answers = pipeline(calls);
    std::size_t i = 0;
    for (Query* q : queries) {
        PgResultPtr& r = answers[i++];
        const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
            q->result_ = std::move(r);
    }
}

Result<void> PgDatabase::exec(const std::string& sql, const char* operation) {
    PgResultPtr r(PQexec(connection_.get(), with_unsent_begins(sql).c_str()));
    const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(connection_.get(), r.get(), operation);
    return {};
}

Result<std::string> PgDatabase::value(const std::string& sql, const char* operation) {
    PgResultPtr r(PQexec(connection_.get(), with_unsent_begins(sql).c_str()));
    const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(connection_.get(), r.get(), operation);
    if (PQntuples(r.get()) == 0 || PQnfields(r.get()) == 0)
        return std::string();
    return std::string(PQgetvalue(r.get(), 0, 0));
}

Result<PgQuery> PgDatabase::query(const char* sql, const char* operation) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        // `?` -> $n: the store's statements hold no `?` inside a literal.
        std::string text;
        int n = 0;
        for (const char* p = sql; *p != '\0'; ++p) {
            if (*p == '?')
                text += "$" + std::to_string(++n);
            else
                text += *p;
        }
        std::string name = "calsync_" + std::to_string(statements_.size() + 1);
        PgResultPtr r(PQprepare(connection_.get(), name.c_str(), text.c_str(), 0, nullptr));
        if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            return pg_error(connection_.get(), r.get(), operation);
        it = statements_.emplace(sql, std::move(name)).first;
    }
    return PgQuery(this, it->second, operation);
}

Result<PgDatabase::Transaction> PgDatabase::transaction(const char* operation) {
    unsent_begins_.push_back(depth_ == 0 ? std::string("BEGIN")
                                         : "SAVEPOINT calsync_" + std::to_string(depth_));
    ++depth_;
    return Transaction(this, operation);
}

void PgDatabase::rollback() {
    const int level = --depth_;
    if (!unsent_begins_.empty()) {
        unsent_begins_.pop_back();  // the level never began on the server
        return;
    }
    const std::string name = "calsync_" + std::to_string(level);
    // Nothing to report from here: a failed rollback leaves a broken connection, which the
    // next statement reports.
    [[maybe_unused]] auto ignored =
        exec(level == 0 ? std::string("ROLLBACK") : "ROLLBACK TO " + name + "; RELEASE " + name,
             "roll back");
}

Result<void> PgDatabase::commit_level(const char* operation, bool* closed) {
    const int level = depth_ - 1;
    if (!unsent_begins_.empty()) {
        unsent_begins_.pop_back();  // the level ran no statement: nothing to send
        *closed = true;
        --depth_;
        return {};
    }
    if (level > 0) {
        auto done = exec("RELEASE calsync_" + std::to_string(level), operation);
        if (!done.ok())
            return done;  // still open: the transaction's end rolls it back
        *closed = true;
        --depth_;
        return {};
    }
    // COMMIT of an aborted transaction answers ROLLBACK without an error: report it.
    PgResultPtr r(PQexec(connection_.get(), "COMMIT"));
    *closed = true;
    --depth_;
    if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        return pg_error(connection_.get(), r.get(), operation);
    if (std::string_view(PQcmdStatus(r.get())) == "ROLLBACK")
        return make_error(
            ErrorCode::internal,
            "postgres store: " +
                could_not(operation, "the transaction was rolled back after an earlier failure"));
    return {};
}

}  // namespace calsync::store
