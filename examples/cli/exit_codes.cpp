#include "exit_codes.hpp"

#include <iostream>

namespace cli {

std::string status_name(calsync_status s) {
    switch (s) {
        case CALSYNC_EINVAL:
            return "invalid argument";
        case CALSYNC_EPARSE:
            return "unreadable calendar";
        case CALSYNC_EZONE:
            return "unknown time zone";
        case CALSYNC_ENOMEM:
            return "out of memory";
        case CALSYNC_ELIMIT:
            return "limit exceeded";
        case CALSYNC_EINTERNAL:
            return "internal error";
        case CALSYNC_EAUTH:
            return "sign-in refused";
        case CALSYNC_ENETWORK:
            return "network error";
        case CALSYNC_EHTTP:
            return "server error";
        case CALSYNC_ERATELIMIT:
            return "rate limited";
        case CALSYNC_ENOTFOUND:
            return "not found";
        case CALSYNC_ECONFLICT:
            return "conflict";
        case CALSYNC_EPENDING:
            return "not finished yet";
        default:
            return "error";
    }
}

int exit_code_for(calsync_status s) {
    switch (s) {
        case CALSYNC_OK:
            return kExitOk;
        case CALSYNC_EAUTH:
            return kExitSignIn;
        case CALSYNC_ENOTFOUND:
            return kExitNotFound;
        default:
            return kExitFailure;
    }
}

int exit_code_for_state(const std::string& state) {
    if (state == "ok" || state == "never_synced")
        return kExitOk;
    if (state == "needs_reauthorisation")
        return kExitSignIn;
    if (state == "calendar_gone")
        return kExitNotFound;
    return kExitFailure;
}

void fail_with(calsync_status status) {
    std::cerr << "calsync: " << status_name(status) << ": " << calsync_last_error_message() << "\n";
    throw Failure{exit_code_for(status)};
}

void fail_with(int exit_code, const std::string& message) {
    std::cerr << "calsync: " << message << "\n";
    throw Failure{exit_code};
}

}  // namespace cli
