// Expected failures as values: every fallible calsync call returns Result<T>.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace calsync {

enum class ErrorCode {
    invalid_argument,  // the caller passed something malformed (names the field)
    parse,             // data from outside (iCalendar, JSON) could not be read
    unknown_zone,      // a TZID that is neither defined in the data nor an IANA name
    not_found,
    auth,
    conflict,
    rate_limited,
    network,
    http,
    limit_exceeded,  // a size or count cap was hit
    internal,
    cancelled,  // abandoned on purpose (the service is shutting down); not retried
    // A worker's lease on a connection was taken over by another worker (its fencing token
    // is stale): the write was refused and nothing was written. Stop working on it.
    lease_lost,
};

const char* to_string(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    int http_status = 0;
    std::optional<std::chrono::seconds> retry_after;
};

inline Error make_error(ErrorCode code, std::string message) {
    return Error{code, std::move(message), 0, std::nullopt};
}

template <class T>
class [[nodiscard]] Result {
  public:
    // Implicit on purpose: `return value;` and `return error;` both read naturally.
    // cppcheck-suppress noExplicitConstructor
    Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    // cppcheck-suppress noExplicitConstructor
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    // cppcheck-suppress noExplicitConstructor
    Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *error_; }

  private:
    std::optional<Error> error_;
};

}  // namespace calsync
