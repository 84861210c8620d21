#include "store/sqlite_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "store/store_checks.hpp"

namespace calsync::store {

Error sqlite_error(sqlite3* db, int rc, const char* operation) {
    // sqlite3_errmsg describes the connection's last failure; when the failure was not
    // the connection's (open, bind), the code's own text is the better description.
    const bool own = db != nullptr && sqlite3_extended_errcode(db) == rc;
    const std::string reason = std::string(own ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                               " (SQLite code " + std::to_string(rc) + ")";
    return make_error(ErrorCode::internal, "sqlite store: " + could_not(operation, reason));
}

Query::Query(sqlite3* db, sqlite3_stmt* statement, const char* operation)
    : db_(db), statement_(statement), operation_(operation) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      statement_(other.statement_),
      operation_(other.operation_),
      next_(other.next_),
      bind_rc_(other.bind_rc_) {
    other.statement_ = nullptr;
}

Query::~Query() {
    if (statement_ != nullptr) {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }
}

void Query::note(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK)
        bind_rc_ = rc;
}

Query& Query::bind(std::string_view text) {
    note(sqlite3_bind_text64(statement_, next_++, text.data(), text.size(), SQLITE_TRANSIENT,
                             SQLITE_UTF8));
    return *this;
}

Query& Query::bind(std::int64_t value) {
    note(sqlite3_bind_int64(statement_, next_++, value));
    return *this;
}

Query& Query::bind(const std::optional<Instant>& t) {
    if (t)
        return bind(to_unix(*t));
    note(sqlite3_bind_null(statement_, next_++));
    return *this;
}

Result<bool> Query::step() {
    if (bind_rc_ != SQLITE_OK)
        return sqlite_error(db_, bind_rc_, operation_);
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return sqlite_error(db_, rc, operation_);
}

Result<void> Query::run() {
    for (;;) {
        auto row = step();
        if (!row.ok())
            return row.error();
        if (!row.value())
            return {};
    }
}

std::string Query::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return p == nullptr
               ? std::string()
               : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::optional<Instant> Query::optional_instant(int column) const {
    if (is_null(column))
        return std::nullopt;
    return instant(column);
}

namespace {

// SQLite makes a new database file with mode 0644 less the umask, readable by every user
// under umask 000 (a common container default); the file holds sealed credentials and
// the appointments' clients. Made here first with 0600, it is the owner's alone, and so
// are its -wal and -shm files, which SQLite creates with the database file's mode.
void create_private_file(const std::string& path) {
    if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0)
        return;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        ::close(fd);  // an empty file is a new database to SQLite
    // Otherwise it exists (kept as it is) or cannot be made: sqlite3_open_v2 says why.
}

}  // namespace

bool Database::idle() const {
    return depth_ == 0 && sqlite3_get_autocommit(db_.get()) != 0;
}

Result<Database> Database::open(const std::string& path) {
    create_private_file(path);
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    SqlitePtr db(raw);  // sqlite3_open_v2 hands out a handle to close even on failure
    const std::string operation = "open '" + path + "'";
    if (rc != SQLITE_OK)
        return sqlite_error(db.get(), rc, operation.c_str());
    sqlite3_extended_result_codes(db.get(), 1);
    return Database(std::move(db));
}

Result<void> Database::exec(const std::string& sql, const char* operation) {
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return sqlite_error(db_.get(), rc, operation);
    return {};
}

Result<std::string> Database::value(const std::string& sql, const char* operation) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
    StatementPtr statement(raw);
    if (rc != SQLITE_OK)
        return sqlite_error(db_.get(), rc, operation);
    Query q(db_.get(), statement.get(), operation);
    auto row = q.step();
    if (!row.ok())
        return row.error();
    return row.value() ? q.text(0) : std::string();
}

Result<Query> Database::query(const char* sql, const char* operation) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt* raw = nullptr;
        const int rc =
            sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        StatementPtr statement(raw);
        if (rc != SQLITE_OK)
            return sqlite_error(db_.get(), rc, operation);
        it = statements_.emplace(sql, std::move(statement)).first;
    }
    return Query(db_.get(), it->second.get(), operation);
}

Result<Database::Transaction> Database::transaction(const char* operation) {
    const std::string sql = depth_ == 0 ? std::string("BEGIN IMMEDIATE")
                                        : "SAVEPOINT calsync_" + std::to_string(depth_);
    auto begun = exec(sql, operation);
    if (!begun.ok())
        return begun.error();
    ++depth_;
    return Transaction(this, operation);
}

void Database::rollback() {
    const int level = --depth_;
    // After some failures (SQLITE_FULL, IOERR, NOMEM) SQLite has already rolled the whole
    // transaction back; there is nothing left to undo.
    if (sqlite3_get_autocommit(db_.get()) != 0)
        return;
    if (level == 0) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        return;
    }
    const std::string name = "calsync_" + std::to_string(level);
    sqlite3_exec(db_.get(), ("ROLLBACK TO " + name + "; RELEASE " + name).c_str(), nullptr, nullptr,
                 nullptr);
}

Result<void> Database::commit_level(const char* operation, bool* closed) {
    const int level = depth_ - 1;
    if (sqlite3_get_autocommit(db_.get()) != 0) {
        *closed = true;
        --depth_;
        return make_error(
            ErrorCode::internal,
            "sqlite store: " +
                could_not(operation, "the transaction was rolled back after an earlier failure"));
    }
    auto done = exec(
        level == 0 ? std::string("COMMIT") : "RELEASE calsync_" + std::to_string(level), operation);
    if (!done.ok())
        return done;  // still open: the transaction's end rolls it back
    *closed = true;
    --depth_;
    return {};
}

}  // namespace calsync::store
