// Every ErrorCode a C caller can meet has the status calsync.h documents for it, so a host
// can branch on it instead of reading messages. Regression: ErrorCode::lease_lost came out
// as CALSYNC_ERROR.
#include <calsync.h>

#include <catch2/catch.hpp>

#include "status_codes.hpp"

using calsync::ErrorCode;
using calsync::capi::status_of;

TEST_CASE("status codes: each ErrorCode has its documented status", "[status]") {
    CHECK(status_of(ErrorCode::invalid_argument) == CALSYNC_EINVAL);
    CHECK(status_of(ErrorCode::parse) == CALSYNC_EPARSE);
    CHECK(status_of(ErrorCode::unknown_zone) == CALSYNC_EZONE);
    CHECK(status_of(ErrorCode::not_found) == CALSYNC_ENOTFOUND);
    CHECK(status_of(ErrorCode::auth) == CALSYNC_EAUTH);
    CHECK(status_of(ErrorCode::conflict) == CALSYNC_ECONFLICT);
    CHECK(status_of(ErrorCode::rate_limited) == CALSYNC_ERATELIMIT);
    CHECK(status_of(ErrorCode::network) == CALSYNC_ENETWORK);
    CHECK(status_of(ErrorCode::http) == CALSYNC_EHTTP);
    CHECK(status_of(ErrorCode::limit_exceeded) == CALSYNC_ELIMIT);
    CHECK(status_of(ErrorCode::internal) == CALSYNC_EINTERNAL);
    // A sync abandoned on purpose (shutdown) has no code of its own: the generic one.
    CHECK(status_of(ErrorCode::cancelled) == CALSYNC_ERROR);
}

TEST_CASE("status codes: a lost lease is CALSYNC_ELEASELOST, not CALSYNC_ERROR", "[status]") {
    CHECK(CALSYNC_ELEASELOST == -15);  // stable: the next number after CALSYNC_EPENDING
    CHECK(status_of(ErrorCode::lease_lost) == CALSYNC_ELEASELOST);
}
