// ErrorCode -> calsync_status: the one place the C ABI's stable codes are chosen, in a
// header of its own so a test can check the mapping without the rest of the C ABI.
#pragma once

#include "calsync.h"
#include "calsync/result.hpp"

namespace calsync::capi {

inline calsync_status status_of(calsync::ErrorCode code) {
    switch (code) {
        case calsync::ErrorCode::invalid_argument:
            return CALSYNC_EINVAL;
        case calsync::ErrorCode::parse:
            return CALSYNC_EPARSE;
        case calsync::ErrorCode::unknown_zone:
            return CALSYNC_EZONE;
        case calsync::ErrorCode::limit_exceeded:
            return CALSYNC_ELIMIT;
        case calsync::ErrorCode::internal:
            return CALSYNC_EINTERNAL;
        case calsync::ErrorCode::auth:
            return CALSYNC_EAUTH;
        case calsync::ErrorCode::network:
            return CALSYNC_ENETWORK;
        case calsync::ErrorCode::http:
            return CALSYNC_EHTTP;
        case calsync::ErrorCode::rate_limited:
            return CALSYNC_ERATELIMIT;
        case calsync::ErrorCode::not_found:
            return CALSYNC_ENOTFOUND;
        case calsync::ErrorCode::conflict:
            return CALSYNC_ECONFLICT;
        case calsync::ErrorCode::lease_lost:
            return CALSYNC_ELEASELOST;
        default:
            return CALSYNC_ERROR;
    }
}

}  // namespace calsync::capi
