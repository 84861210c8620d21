// SqlStore's business settings record (template definitions: included by sqlite_store.cpp
// and pg_store.cpp only): one row per business in business_settings, the text as given.
#pragma once

#include "store/sql_rows.hpp"
#include "store/sql_store.hpp"
#include "store/sql_store_records.hpp"  // sql_detail

namespace calsync::store {

template <class Db>
Result<void> SqlStore<Db>::put_business_settings(const std::string& settings_json) {
    Lock lock(mutex_);
    static const std::string text = upsert_sql("business_settings", "business_id", "settings_json");
    return run(text.c_str(), "store the business's settings", {settings_json});
}

template <class Db>
Result<std::optional<std::string>> SqlStore<Db>::find_business_settings() {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::kReadBusinessSettingsSql, "read the business's settings");
    if (!q.ok())
        return q.error();
    return sql_detail::settings_of(q->collect(read_text<Query>));
}

}  // namespace calsync::store
