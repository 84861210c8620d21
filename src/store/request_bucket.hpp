// The token bucket behind FleetStore::take_requests (calsync/fleet.hpp), as every fleet
// kind keeps it: one row per key (memory, SQLite, PostgreSQL alike), its arithmetic here,
// once. Tokens are counted in millionths of a request, so a row is two integers each SQL
// engine stores and compares alike, and rounding always falls on the bucket's side (a
// refill rounds down, a wait rounds up).
#pragma once

#include <cstdint>
#include <string>

#include "calsync/fleet.hpp"

namespace calsync::store {

struct RequestBucket {
    std::int64_t micro_tokens = 0;  // millionths of a request the bucket holds
    std::int64_t refreshed_ms = 0;  // unix milliseconds of the last refill
};

// invalid_argument unless the key, rate and wanted make sense (as take_requests says).
Result<void> check_request_take(const std::string& key, RequestRate rate, std::int64_t wanted);

// A bucket first taken from at `now`: full.
RequestBucket full_request_bucket(RequestRate rate, PreciseInstant now);

// Refills `bucket` for the time since its last refill (none when `now` is earlier: another
// taker's clock ran ahead), then takes what take_requests says.
RequestGrant take_from_bucket(RequestBucket& bucket, RequestRate rate, std::int64_t wanted,
                              PreciseInstant now);

}  // namespace calsync::store
