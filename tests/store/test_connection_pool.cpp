// The fleet's pool of views' connections (store/connection_pool.hpp): a closed view's
// connection serves the next view, a busy one is never kept, and the pool stays bounded.
#include <catch2/catch.hpp>

#include <memory>

#include "store/connection_pool.hpp"

namespace {

using calsync::Result;
using calsync::store::ConnectionPool;

struct FakeConnection {
    int serial = 0;
    bool in_transaction = false;
    bool idle() const { return !in_transaction; }
};

struct Connector {
    std::shared_ptr<int> opened = std::make_shared<int>(0);
    ConnectionPool<FakeConnection>::Connect function() const {
        auto count = opened;
        return [count]() -> Result<FakeConnection> { return FakeConnection{++*count, false}; };
    }
};

}  // namespace

TEST_CASE("connection pool: a connection given back serves the next take", "[store][pool]") {
    Connector connector;
    ConnectionPool<FakeConnection> pool(connector.function(), 4);
    auto first = pool.take();
    REQUIRE(first.ok());
    CHECK(first->serial == 1);
    pool.give_back(std::move(first).value());
    auto second = pool.take();
    REQUIRE(second.ok());
    CHECK(second->serial == 1);
    CHECK(*connector.opened == 1);
}

TEST_CASE("connection pool: a connection inside a transaction is closed, not kept",
          "[store][pool]") {
    Connector connector;
    ConnectionPool<FakeConnection> pool(connector.function(), 4);
    auto busy = pool.take();
    REQUIRE(busy.ok());
    busy->in_transaction = true;
    pool.give_back(std::move(busy).value());
    CHECK(pool.idle_count() == 0);
    auto next = pool.take();
    REQUIRE(next.ok());
    CHECK(next->serial == 2);
}

TEST_CASE("connection pool: keeps at most max_idle connections", "[store][pool]") {
    Connector connector;
    ConnectionPool<FakeConnection> pool(connector.function(), 2);
    std::vector<FakeConnection> open;
    for (int i = 0; i < 5; ++i) {
        auto c = pool.take();
        REQUIRE(c.ok());
        open.push_back(std::move(c).value());
    }
    for (auto& c : open)
        pool.give_back(std::move(c));
    CHECK(pool.idle_count() == 2);
    CHECK(*connector.opened == 5);
}
