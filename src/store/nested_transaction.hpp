// A transaction on a Db (sqlite_db.hpp, pg_db.hpp) that rolls back unless committed: the
// outermost a real transaction, nested ones SAVEPOINTs. Db provides, to this class as a
// friend, `void rollback()` (of its innermost level) and `Result<void> commit_level(const
// char* operation, bool* closed)`, where `closed` tells whether the level ended (committed,
// or found already rolled back) even when an error is reported; a level still open after
// a failed commit is rolled back when the transaction ends.
#pragma once

#include "calsync/result.hpp"

namespace calsync::store {

template <class Db>
class NestedTransaction {
  public:
    NestedTransaction(Db* db, const char* operation) : db_(db), operation_(operation) {}
    NestedTransaction(NestedTransaction&& other) noexcept
        : db_(other.db_), operation_(other.operation_) {
        other.db_ = nullptr;
    }
    NestedTransaction& operator=(NestedTransaction&&) = delete;
    ~NestedTransaction() {
        if (db_ != nullptr)
            db_->rollback();
    }

    Result<void> commit() {
        bool closed = false;
        auto done = db_->commit_level(operation_, &closed);
        if (closed)
            db_ = nullptr;
        return done;
    }

  private:
    Db* db_;
    const char* operation_;
};

}  // namespace calsync::store
