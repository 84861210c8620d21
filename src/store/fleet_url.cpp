// open_fleet(): a FleetStore chosen by URL, for programs; and the PostgreSQL entry points
// when calsync is built without libpq.
#include <string_view>

#include "calsync/fleet.hpp"

namespace calsync {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<std::unique_ptr<FleetStore>> open_fleet(const std::string& url) {
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://"))
        return open_postgres_fleet(url);
    if (url == "memory:")
        return make_memory_fleet();
    const std::string path = starts_with(url, "sqlite:") ? url.substr(7) : url;
    if (path.empty())
        return make_error(ErrorCode::invalid_argument,
                          "could not open the store: its URL names no file (want postgresql://..., "
                          "sqlite:PATH, a path or memory:)");
    return open_sqlite_fleet(path);
}

#ifndef CALSYNC_WITH_POSTGRES
namespace {
Error without_postgres() {
    return make_error(ErrorCode::internal,
                      "PostgreSQL store: this calsync was built without libpq "
                      "(CALSYNC_WITH_POSTGRES=OFF)");
}
}  // namespace

Result<std::unique_ptr<StateStore>> open_postgres_store(const std::string&,
                                                        const PostgresStoreOptions&) {
    return without_postgres();
}

Result<std::unique_ptr<FleetStore>> open_postgres_fleet(const std::string&,
                                                        const PostgresStoreOptions&) {
    return without_postgres();
}
#endif

}  // namespace calsync
