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

namespace {

std::vector<const char*> param_values(const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values(params.size());
    std::transform(params.begin(), params.end(), values.begin(),
                   [](const std::optional<std::string>& p) { return p ? p->c_str() : nullptr; });
    return values;
}

}  // namespace

std::vector<const char*> PgQuery::values() const {
    return param_values(params_);
}

Result<void> PgQuery::execute() {
    const char* failed_operation = operation_;
    result_ = db_->execute_prepared(statement_, values(), &failed_operation);
    const ExecStatusType status =
        result_ == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result_.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        Error e = pg_error(db_->handle(), result_.get(), failed_operation);
        result_.reset();
        return e;
    }
    return {};
}

Result<bool> PgQuery::step() {
    if (failed_)
        return *failed_;
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
    if (failed_)
        return *failed_;
    if (result_ != nullptr || batched_)
        return {};
    return execute();
}

Result<void> PgQuery::run_batched() {
    if (result_ != nullptr || batched_)
        return {};
    if (db_->depth_ == 0)
        return run();
    db_->pending_.push_back(
        PgDatabase::Pending{db_->depth_, std::string(), statement_, params_, operation_, false});
    batched_ = true;
    return {};
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

PgDatabase::PipelineOutcome PgDatabase::pipeline(const std::vector<PipelineCall>& calls) {
    PGconn* c = connection_.get();
    PipelineOutcome out;
    out.answers.resize(calls.size());
    // Sent now, whatever comes of them: a failed BEGIN leaves the level's rollback finding
    // no transaction, which the server only warns about.
    std::vector<Pending> sent;
    sent.swap(pending_);
    if (PQenterPipelineMode(c) != 1)
        return out;
    bool ok = true;
    auto send = [&](const std::string* statement, const std::vector<const char*>& values,
                    const std::string& command) {
        ok = ok && (statement != nullptr ? PQsendQueryPrepared(c, statement->c_str(),
                                                               static_cast<int>(values.size()),
                                                               values.data(), nullptr, nullptr, 0)
                                         : PQsendQueryParams(c, command.c_str(), 0, nullptr,
                                                             nullptr, nullptr, nullptr, 0)) == 1;
    };
    for (const Pending& p : sent)
        send(p.command.empty() ? &p.statement : nullptr, param_values(p.params), p.command);
    for (const PipelineCall& call : calls)
        send(call.statement, call.values, call.command);
    ok = ok && PQpipelineSync(c) == 1;
    if (!ok)
        return out;  // the connection is gone; idle() keeps it out of the pool
    // Each query's results end with a null; after an error the later queries answer
    // PGRES_PIPELINE_ABORTED; the sync's result ends the pipeline.
    const std::size_t queries = sent.size() + calls.size();
    std::size_t index = 0;
    for (;;) {
        PgResultPtr r(PQgetResult(c));
        if (r == nullptr) {
            if (index >= queries)
                break;  // no sync is coming: the connection was lost
            ++index;
            continue;
        }
        const ExecStatusType status = PQresultStatus(r.get());
        if (status == PGRES_PIPELINE_SYNC) {
            out.delivered = true;
            break;
        }
        if (index < sent.size()) {
            if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && out.failed == nullptr) {
                out.failed = std::move(r);
                out.failed_operation =
                    sent[index].command.empty() ? sent[index].operation : nullptr;
            }
        } else if (index < queries && out.answers[index - sent.size()] == nullptr) {
            out.answers[index - sent.size()] = std::move(r);
        }
    }
    PQexitPipelineMode(c);
    return out;
}

PgResultPtr PgDatabase::execute_prepared(const std::string& name,
                                         const std::vector<const char*>& values,
                                         const char** failed_operation) {
    if (pending_.empty())
        return PgResultPtr(PQexecPrepared(connection_.get(), name.c_str(),
                                          static_cast<int>(values.size()), values.data(), nullptr,
                                          nullptr, 0));
    PipelineOutcome out = pipeline({PipelineCall{&name, values, std::string()}});
    if (out.failed != nullptr) {
        if (out.failed_operation != nullptr)
            *failed_operation = out.failed_operation;
        return std::move(out.failed);
    }
    return std::move(out.answers.front());  // null when undelivered: the connection's error
}

Result<void> PgDatabase::flush(const char* operation) {
    if (pending_.empty())
        return {};
    PipelineOutcome out = pipeline({});
    if (out.failed != nullptr)
        return pg_error(connection_.get(), out.failed.get(),
                        out.failed_operation != nullptr ? out.failed_operation : operation);
    if (!out.delivered)
        return pg_error(connection_.get(), nullptr, operation);
    return {};
}

Result<std::string> PgDatabase::after_pending(const std::string& sql, const char* operation) {
    if (std::any_of(pending_.begin(), pending_.end(),
                    [](const Pending& p) { return p.command.empty(); })) {
        auto flushed = flush(operation);
        if (!flushed.ok())
            return flushed.error();
    }
    std::string text;
    for (const Pending& begin : pending_)
        text += begin.command + "; ";
    pending_.clear();
    return text + sql;
}

void PgDatabase::run_together(const std::vector<Query*>& queries) {
    std::vector<PipelineCall> calls(queries.size());
    std::transform(queries.begin(), queries.end(), calls.begin(), [](const Query* q) {
        return PipelineCall{&q->statement_, q->values(), std::string()};
    });
    PipelineOutcome out = pipeline(calls);
    // Outside a transaction a query that failed runs again, and reports, on its own. Inside
    // one each takes its answer now: run again, it would only report the aborted transaction.
    const bool inside = in_transaction();
    std::optional<Error> first;
    if (out.failed != nullptr)
        first = pg_error(connection_.get(), out.failed.get(),
                         out.failed_operation != nullptr ? out.failed_operation : "run together");
    for (std::size_t i = 0; i < queries.size(); ++i) {
        Query* q = queries[i];
        PgResultPtr& r = out.answers[i];
        const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            q->result_ = std::move(r);
            continue;
        }
        if (!inside)
            continue;
        if (status == PGRES_FATAL_ERROR && !first)
            first = pg_error(connection_.get(), r.get(), q->operation_);
        q->failed_ = first ? *first : pg_error(connection_.get(), nullptr, q->operation_);
    }
}

Result<void> PgDatabase::exec(const std::string& sql, const char* operation) {
    auto text = after_pending(sql, operation);
    if (!text.ok())
        return text.error();
    PgResultPtr r(PQexec(connection_.get(), text->c_str()));
    const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(connection_.get(), r.get(), operation);
    return {};
}

Result<std::string> PgDatabase::value(const std::string& sql, const char* operation) {
    auto text = after_pending(sql, operation);
    if (!text.ok())
        return text.error();
    PgResultPtr r(PQexec(connection_.get(), text->c_str()));
    const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return pg_error(connection_.get(), r.get(), operation);
    if (PQntuples(r.get()) == 0 || PQnfields(r.get()) == 0)
        return std::string();
    return std::string(PQgetvalue(r.get(), 0, 0));
}

PgQuery& PgQuery::bind_array(const std::vector<std::optional<std::string>>& elements) {
    // Every element quoted, so that no text (empty, NULL, with braces or commas) is read as
    // anything but itself; inside quotes only `"` and `\` are escaped.
    std::string literal = "{";
    for (const auto& element : elements) {
        if (literal.size() > 1)
            literal += ',';
        if (!element) {
            literal += "NULL";
            continue;
        }
        literal += '"';
        for (char ch : *element) {
            if (ch == '"' || ch == '\\')
                literal += '\\';
            literal += ch;
        }
        literal += '"';
    }
    literal += '}';
    return bind(literal);
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
    pending_.push_back(
        Pending{depth_ + 1,
                depth_ == 0 ? std::string("BEGIN") : "SAVEPOINT calsync_" + std::to_string(depth_),
                std::string(),
                {},
                operation,
                true});
    ++depth_;
    return Transaction(this, operation);
}

void PgDatabase::rollback() {
    const int tag = depth_;
    const int level = --depth_;
    // The level's writes not yet sent are dropped; if its begin was not sent either, the
    // server never saw the level.
    bool begun = true;
    while (!pending_.empty() && pending_.back().level >= tag) {
        if (pending_.back().begins_level)
            begun = false;
        pending_.pop_back();
    }
    if (!begun)
        return;
    const std::string name = "calsync_" + std::to_string(level);
    // Nothing to report from here: a failed rollback leaves a broken connection, which the
    // next statement reports.
    [[maybe_unused]] auto ignored =
        exec(level == 0 ? std::string("ROLLBACK") : "ROLLBACK TO " + name + "; RELEASE " + name,
             "roll back");
}

Result<void> PgDatabase::commit_level(const char* operation, bool* closed) {
    const int level = depth_ - 1;
    if (!pending_.empty() && pending_.back().begins_level && pending_.back().level == depth_) {
        pending_.pop_back();  // the level ran no statement: nothing to send
        *closed = true;
        --depth_;
        return {};
    }
    const bool writes_pending = std::any_of(pending_.begin(), pending_.end(),
                                            [](const Pending& p) { return p.command.empty(); });
    if (level > 0 && !writes_pending) {
        // Nothing of the level waits to be sent: its RELEASE goes out with the next round
        // trip. It cannot fail in a transaction still healthy; in one that is not, the next
        // statement or the COMMIT reports it.
        pending_.push_back(Pending{depth_ - 1,
                                   "RELEASE calsync_" + std::to_string(level),
                                   std::string(),
                                   {},
                                   operation,
                                   false});
        *closed = true;
        --depth_;
        return {};
    }
    // The level's batched writes go out with its RELEASE (a failure among them fails the
    // level) or with the COMMIT.
    const std::string command =
        level > 0 ? "RELEASE calsync_" + std::to_string(level) : std::string("COMMIT");
    PgResultPtr r;
    if (pending_.empty()) {
        r.reset(PQexec(connection_.get(), command.c_str()));
    } else {
        PipelineOutcome out = pipeline({PipelineCall{nullptr, {}, command}});
        if (out.failed != nullptr)  // the level is still open: its end rolls it back
            return pg_error(connection_.get(), out.failed.get(),
                            out.failed_operation != nullptr ? out.failed_operation : operation);
        r = std::move(out.answers.front());
    }
    if (level > 0) {
        if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            return pg_error(connection_.get(), r.get(), operation);  // still open, as above
        *closed = true;
        --depth_;
        return {};
    }
    // COMMIT of an aborted transaction answers ROLLBACK without an error: report it.
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
