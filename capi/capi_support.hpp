// What every C ABI entry point shares: the per-thread error message, Error -> status
// code, handing strings out, and the guard that keeps exceptions from crossing the ABI.
#pragma once

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "calsync.h"
#include "calsync/engine.hpp"
#include "calsync/result.hpp"
#include "core/user_terms.hpp"
#include "engine/json_codec.hpp"
#include "status_codes.hpp"
#include "test_hooks.hpp"

namespace calsync::capi {

// The last failure on this thread: its message, and what the server answered behind it
// (calsync_last_error_http_status, calsync_last_error_retry_after). Cleared by a success.
struct LastError {
    std::string message;
    int http_status = 0;
    std::optional<std::chrono::seconds> retry_after;

    void clear() {
        message.clear();
        http_status = 0;
        retry_after.reset();
    }
};

// The C ABI's contract: the last failure is kept per thread (calsync.h, at the top).
// NOLINTNEXTLINE(*-avoid-non-const-global-variables)
inline thread_local LastError last_error;

inline calsync_status fail(calsync_status status, std::string message) {
    last_error.clear();
    last_error.message = std::move(message);
    return status;
}

inline calsync_status fail(const calsync::Error& e) {
    const calsync_status status = fail(status_of(e.code), e.message);
    last_error.http_status = e.http_status;
    last_error.retry_after = e.retry_after;
    return status;
}

// Copies into malloc'd memory so calsync_string_free can release it whatever allocator
// the caller's language runtime uses.
inline calsync_status hand_out(const std::string& text, char** out) {
    char* copy = static_cast<char*>(std::malloc(text.size() + 1));  // NOLINT(*-no-malloc)
    if (copy == nullptr)
        return fail(CALSYNC_ENOMEM, "out of memory");
    std::memcpy(copy, text.data(), text.size() + 1);
    *out = copy;
    last_error.clear();
    return CALSYNC_OK;
}

// CALSYNC_EINVAL naming the argument `name` as calsync.h does: argument "request_json": ...
inline calsync_status invalid_argument(const char* name, const std::string& what) {
    return fail(CALSYNC_EINVAL, argument_message(name, what));
}

inline calsync_status null_argument(const char* name) {
    return invalid_argument(name, "must not be NULL");
}

// CALSYNC_EINVAL naming the first of `args` that is NULL; nothing when none is.
inline std::optional<calsync_status> refuse_null(
    std::initializer_list<std::pair<const char*, const void*>> args) {
    for (const auto& [name, value] : args) {
        if (value == nullptr)
            return null_argument(name);
    }
    return std::nullopt;
}

template <class Body>
calsync_status guarded(const char* function, Body&& body) noexcept {
    try {
        // Tests prove that no exception crosses the ABI by making one function throw.
        throw_if_provoked(function);
        return body();
    } catch (const std::bad_alloc&) {
        return fail(CALSYNC_ENOMEM, std::string(function) + ": out of memory");
    } catch (const std::exception& e) {
        return fail(CALSYNC_EINTERNAL, std::string(function) + ": internal error: " + e.what());
    } catch (...) {
        return fail(CALSYNC_EINTERNAL, std::string(function) + ": internal error");
    }
}

// An engine for a request's policy; an unknown zone is reported as the request's field.
inline Result<ImportEngine> engine_for(const BlockingPolicy& policy) {
    auto engine = ImportEngine::create(policy);
    if (!engine.ok() && engine.error().code == ErrorCode::unknown_zone) {
        Error e = engine.error();
        e.message = member_message("zone", e.message);
        return e;
    }
    return engine;
}

// The blocked-slots response for what `engine` holds, after the events that could not be
// read before they reached it (`errors`); the events the engine could not expand or left
// out for its occurrence limits are listed with them.
inline calsync_status hand_out_slots(const ImportEngine& engine, std::vector<EventError> errors,
                                     char** out) {
    for (const std::vector<EventError>& more : {engine.errors(), engine.capped()})
        errors.insert(errors.end(), more.begin(), more.end());
    return hand_out(json::write_blocked_slots_response(engine.slots(), engine.busy(), errors), out);
}

}  // namespace calsync::capi
