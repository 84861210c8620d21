// What a query of either database (sqlite_db.hpp's Query, pg_db.hpp's PgQuery) offers
// beyond step(): every remaining row as a value, or the one row expected. Q derives from
// QueryRows<Q> and provides `Result<bool> step()`.
#pragma once

#include <type_traits>
#include <utility>
#include <vector>

#include "calsync/result.hpp"

namespace calsync::store {

template <class Q, class Read>
using RowValueOf = std::decay_t<decltype(std::declval<Read>()(std::declval<const Q&>()).value())>;

template <class Q>
class QueryRows {
  public:
    // Every remaining row, each turned into a value by `read(const Q&) -> Result<T>`.
    template <class Read>
    auto collect(Read&& read) -> Result<std::vector<RowValueOf<Q, Read>>> {
        Q& q = static_cast<Q&>(*this);
        std::vector<RowValueOf<Q, Read>> all;
        for (;;) {
            auto row = q.step();
            if (!row.ok())
                return row.error();
            if (!row.value())
                return all;
            auto value = read(q);
            if (!value.ok())
                return value.error();
            all.push_back(std::move(value).value());
        }
    }
    // The one row expected, or `missing` when there is none.
    template <class Read>
    auto single(Read&& read, const Error& missing) -> Result<RowValueOf<Q, Read>> {
        Q& q = static_cast<Q&>(*this);
        auto row = q.step();
        if (!row.ok())
            return row.error();
        if (!row.value())
            return missing;
        return read(q);
    }
};

}  // namespace calsync::store
