// The PostgreSQL connection layer (src/store/pg_db.cpp) on its own: a transaction's BEGIN,
// or a nested one's SAVEPOINT, goes out with its first statement in one pipeline, and a
// level that runs no statement sends nothing; what the levels do stays what BEGIN, COMMIT
// and SAVEPOINT promise. Independent queries run together in one round trip and answer as
// each would alone. Batched writes go out with the next round trip, and a failure among them
// fails their level whole.
#ifdef CALSYNC_TEST_POSTGRES
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "store/pg_db.hpp"
#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::must;

namespace {

store::PgDatabase new_database() {
    auto db = must(store::PgDatabase::connect(test::PostgresTestServer::shared().new_database(),
                                              std::chrono::milliseconds(5000)));
    must(db.exec("CREATE TABLE t (k integer PRIMARY KEY)", "create the table"));
    return db;
}

void insert(store::PgDatabase& db, int k) {
    auto q = must(db.query("INSERT INTO t (k) VALUES (?)", "insert"));
    must(q.bind(k).run());
}

Result<void> insert_batched(store::PgDatabase& db, int k, const char* operation = "insert") {
    auto q = must(db.query("INSERT INTO t (k) VALUES (?)", operation));
    return q.bind(k).run_batched();
}

std::string keys(store::PgDatabase& db) {
    return must(db.value("SELECT coalesce(string_agg(k::text, ',' ORDER BY k), '') FROM t",
                         "read the keys"));
}

// What the server last said about the session's transaction (libpq tracks it from each
// answer): idle until something was sent in the transaction.
PGTransactionStatusType server_side(const store::PgDatabase& db) {
    return PQtransactionStatus(db.handle());
}

}  // namespace

TEST_CASE("pg database: a transaction begins on the server with its first statement",
          "[postgres]") {
    auto db = new_database();
    {
        auto tx = must(db.transaction("write"));
        CHECK(server_side(db) == PQTRANS_IDLE);  // BEGIN not sent on its own
        insert(db, 1);
        CHECK(server_side(db) == PQTRANS_INTRANS);
        insert(db, 2);
        must(tx.commit());
    }
    CHECK(server_side(db) == PQTRANS_IDLE);
    CHECK(keys(db) == "1,2");
    {
        auto tx = must(db.transaction("write, then roll back"));
        insert(db, 3);
    }  // rolled back
    CHECK(keys(db) == "1,2");
    CHECK(db.idle());
}

TEST_CASE("pg database: a level that runs no statement sends nothing and ends cleanly",
          "[postgres]") {
    auto db = new_database();
    {
        auto empty = must(db.transaction("nothing"));
        CHECK(server_side(db) == PQTRANS_IDLE);
        must(empty.commit());
    }
    CHECK(server_side(db) == PQTRANS_IDLE);
    {
        auto outer = must(db.transaction("outer"));
        insert(db, 1);
        {
            auto quiet = must(db.transaction("a savepoint without statements"));
            must(quiet.commit());
        }
        {
            auto undone = must(db.transaction("a savepoint rolled back"));
            insert(db, 2);
        }
        { auto never = must(db.transaction("a savepoint never begun, rolled back")); }
        {
            auto kept = must(db.transaction("a savepoint kept"));
            insert(db, 3);
            must(kept.commit());
        }
        must(outer.commit());
    }
    CHECK(keys(db) == "1,3");
    CHECK(db.idle());
}

TEST_CASE("pg database: a transaction whose first statement fails reports it and ends",
          "[postgres]") {
    auto db = new_database();
    insert(db, 1);
    {
        auto tx = must(db.transaction("write a duplicate"));
        auto q = must(db.query("INSERT INTO t (k) VALUES (?)", "insert the duplicate"));
        auto done = q.bind(1).run();
        REQUIRE_FALSE(done.ok());
        CHECK_THAT(done.error().message, Catch::Contains("insert the duplicate"));
        CHECK_THAT(done.error().message, Catch::Contains("23505"));  // unique_violation
        CHECK(server_side(db) == PQTRANS_INERROR);                   // begun, then failed
    }
    CHECK(db.idle());
    insert(db, 2);  // the connection still serves
    CHECK(keys(db) == "1,2");
}

TEST_CASE("pg database: text statements carry the BEGIN not yet sent", "[postgres]") {
    auto db = new_database();
    {
        auto tx = must(db.transaction("write by text"));
        must(db.exec("INSERT INTO t (k) VALUES (7)", "insert by text"));
        CHECK(server_side(db) == PQTRANS_INTRANS);
    }  // rolled back: the insert was inside the transaction
    CHECK(keys(db) == "");
    {
        auto tx = must(db.transaction("read by text"));
        CHECK(must(db.value("SELECT count(*) FROM t", "count")) == "0");
        CHECK(server_side(db) == PQTRANS_INTRANS);
        must(tx.commit());
    }
    CHECK(db.idle());
}

TEST_CASE("pg database: queries run together in one round trip answer as each alone",
          "[postgres]") {
    auto db = new_database();
    for (int k : {1, 2, 3})
        insert(db, k);
    // One pipeline is one implicit transaction: both ask the same transaction's id, which
    // two round trips would not.
    auto first_id = must(db.query("SELECT txid_current()", "first id"));
    auto count = must(db.query("SELECT count(*) FROM t", "count"));
    auto second_id = must(db.query("SELECT txid_current() + 0", "second id"));
    auto two = must(db.query("SELECT k FROM t WHERE k >= ? ORDER BY k", "from 2"));
    two.bind(2);
    db.run_together({&first_id, &count, &second_id, &two});
    REQUIRE(must(first_id.step()));
    REQUIRE(must(second_id.step()));
    CHECK(first_id.integer(0) == second_id.integer(0));
    REQUIRE(must(count.step()));
    CHECK(count.integer(0) == 3);
    CHECK_FALSE(must(count.step()));
    std::vector<std::int64_t> rows;
    while (must(two.step()))
        rows.push_back(two.integer(0));
    CHECK(rows == std::vector<std::int64_t>{2, 3});

    // Asked one by one, each is its own transaction.
    auto alone_first = must(db.query("SELECT txid_current()", "first id"));
    auto alone_second = must(db.query("SELECT txid_current() + 0", "second id"));
    REQUIRE(must(alone_first.step()));
    REQUIRE(must(alone_second.step()));
    CHECK(alone_first.integer(0) != alone_second.integer(0));
    CHECK(db.idle());
}

TEST_CASE("pg database: a query that fails among others reports its own error", "[postgres]") {
    auto db = new_database();
    insert(db, 4);
    auto before = must(db.query("SELECT count(*) FROM t", "count"));
    auto failing = must(db.query("SELECT 1 / (k - ?) FROM t", "divide"));
    failing.bind(4);
    auto after = must(db.query("SELECT max(k) FROM t", "max"));
    db.run_together({&before, &failing, &after});
    REQUIRE(must(before.step()));
    CHECK(before.integer(0) == 1);
    auto divided = failing.step();
    REQUIRE_FALSE(divided.ok());
    CHECK_THAT(divided.error().message, Catch::Contains("divide"));
    CHECK_THAT(divided.error().message, Catch::Contains("22012"));  // division_by_zero
    // The pipeline's later query, aborted there, runs by itself when stepped.
    REQUIRE(must(after.step()));
    CHECK(after.integer(0) == 4);
    CHECK(db.idle());
}

TEST_CASE("pg database: batched writes go out with the commit, or with the next answer asked",
          "[postgres]") {
    auto db = new_database();
    {
        auto tx = must(db.transaction("write in a batch"));
        must(insert_batched(db, 1));
        must(insert_batched(db, 2));
        CHECK(server_side(db) == PQTRANS_IDLE);  // nothing sent yet, BEGIN included
        must(tx.commit());                       // BEGIN, both inserts and COMMIT at once
    }
    CHECK(keys(db) == "1,2");
    {
        auto tx = must(db.transaction("write in a batch, then read"));
        must(insert_batched(db, 3));
        auto count = must(db.query("SELECT count(*) FROM t", "count"));
        REQUIRE(must(count.step()));
        CHECK(count.integer(0) == 3);  // the read went out after the write
        must(tx.commit());
    }
    {
        auto tx = must(db.transaction("write in a batch, then give up"));
        must(insert_batched(db, 4));
    }  // rolled back: the write was never sent
    CHECK(keys(db) == "1,2,3");
    must(insert_batched(db, 5));  // outside a transaction: at once
    CHECK(server_side(db) == PQTRANS_IDLE);
    CHECK(keys(db) == "1,2,3,5");
    CHECK(db.idle());
}

TEST_CASE("pg database: a batched write that fails fails its level whole", "[postgres]") {
    auto db = new_database();
    insert(db, 1);
    SECTION("reported by the level's commit; the outer transaction goes on") {
        auto outer = must(db.transaction("outer"));
        insert(db, 2);
        {
            auto inner = must(db.transaction("inner"));
            must(insert_batched(db, 3));
            must(insert_batched(db, 1, "insert a duplicate"));
            auto committed = inner.commit();
            REQUIRE_FALSE(committed.ok());
            CHECK_THAT(committed.error().message, Catch::Contains("insert a duplicate"));
            CHECK_THAT(committed.error().message, Catch::Contains("23505"));
        }  // rolled back to its savepoint: 3 goes too
        insert(db, 4);
        must(outer.commit());
        CHECK(keys(db) == "1,2,4");
    }
    SECTION("reported by the next statement that asks for an answer") {
        {
            auto tx = must(db.transaction("write a duplicate, then read"));
            must(insert_batched(db, 1, "insert a duplicate"));
            auto count = must(db.query("SELECT count(*) FROM t", "count"));
            auto read = count.step();
            REQUIRE_FALSE(read.ok());
            CHECK_THAT(read.error().message, Catch::Contains("insert a duplicate"));
        }
        CHECK(keys(db) == "1");
    }
    CHECK(db.idle());
}

TEST_CASE("pg database: queries run together inside a transaction report their own error",
          "[postgres]") {
    auto db = new_database();
    insert(db, 1);
    {
        auto tx = must(db.transaction("updates together"));
        auto first = must(db.query("UPDATE t SET k = k + 10 WHERE k = ?", "move"));
        first.bind(1);
        auto duplicate = must(db.query("INSERT INTO t (k) VALUES (?)", "insert a duplicate"));
        duplicate.bind(11);
        auto after = must(db.query("SELECT count(*) FROM t", "count"));
        db.run_together({&first, &duplicate, &after});
        must(first.run());
        CHECK(first.changes() == 1);
        auto failed = duplicate.run();
        REQUIRE_FALSE(failed.ok());
        CHECK_THAT(failed.error().message, Catch::Contains("insert a duplicate"));
        CHECK_THAT(failed.error().message, Catch::Contains("23505"));
        // Aborted with it: the first error again, not "the transaction is aborted".
        auto counted = after.step();
        REQUIRE_FALSE(counted.ok());
        CHECK_THAT(counted.error().message, Catch::Contains("23505"));
    }
    CHECK(keys(db) == "1");
    CHECK(db.idle());
}

TEST_CASE("pg database: a nested level's RELEASE, sent with the next round trip, keeps its meaning",
          "[postgres]") {
    auto db = new_database();
    {
        auto outer = must(db.transaction("outer"));
        insert(db, 1);
        {
            auto kept = must(db.transaction("kept"));
            insert(db, 2);
            must(kept.commit());  // RELEASE not sent yet
        }
        {
            auto undone = must(db.transaction("undone"));  // after the RELEASE: its own savepoint
            insert(db, 3);
        }
        {
            auto kept_too = must(db.transaction("kept too"));
            insert(db, 4);
            must(kept_too.commit());
        }
        must(outer.commit());  // RELEASE and COMMIT together
    }
    CHECK(keys(db) == "1,2,4");
    {
        auto outer = must(db.transaction("outer, rolled back"));
        {
            auto inner = must(db.transaction("inner"));
            insert(db, 5);
            must(inner.commit());
        }
    }  // the whole transaction goes, the RELEASE waiting for it with it
    CHECK(keys(db) == "1,2,4");
    CHECK(db.idle());
}
#endif
