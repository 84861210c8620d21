#include "net/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <thread>

#include "net/deadline.hpp"

namespace calsync::net {
namespace {

bool retryable_status(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// Whether waiting `wait` would reach the deadline of the operation on this thread.
bool no_time_for(std::chrono::milliseconds wait) {
    const auto deadline = current_deadline();
    return deadline && std::chrono::steady_clock::now() + wait >= *deadline;
}

Error out_of_time(const HttpRequest& request) {
    return make_error(ErrorCode::network, request.method + " " + shown_url(request) +
                                              ": not sent, the time limit of this sync ran out");
}

Error with_no_time_left(Error e) {
    e.message += "; no time left to try again within the time limit of this sync";
    return e;
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
    const std::string text(value);
    if (!text.empty() && std::all_of(text.begin(), text.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
        if (text.size() > 9)
            return std::chrono::seconds(999'999'999);
        return std::chrono::seconds(std::stoll(text));
    }
    const time_t at = curl_getdate(text.c_str(), nullptr);  // IMF-fixdate and older forms
    if (at == -1)
        return std::nullopt;
    // In seconds: a date past 2262 does not fit system_clock's nanoseconds.
    const std::int64_t now_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (at <= now_seconds)
        return std::chrono::seconds(0);
    return std::chrono::seconds(std::min<std::int64_t>(at - now_seconds, 999'999'999));
}

bool is_retry_safe(const HttpRequest& request) {
    static const char* const kIdempotent[] = {"GET",     "HEAD",     "PUT",   "DELETE",
                                              "OPTIONS", "PROPFIND", "REPORT"};
    if (request.method == "POST")
        return request.retry_safe_post;
    return std::any_of(std::begin(kIdempotent), std::end(kIdempotent),
                       [&](const char* m) { return request.method == m; });
}

Sleeper cancellable_sleep(std::shared_ptr<const CancelSignal> cancel) {
    if (!cancel)
        return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    return [cancel](std::chrono::milliseconds d) { cancel->sleep_for(d); };
}

HttpClient::HttpClient(std::shared_ptr<Transport> transport, RetryPolicy policy, Sleeper sleep,
                       std::uint64_t seed, WallClock now)
    : transport_(std::move(transport)),
      policy_(policy),
      sleep_(sleep ? std::move(sleep)
                   : Sleeper([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })),
      random_(seed),
      now_(now ? std::move(now) : WallClock([] { return std::chrono::system_clock::now(); })) {}

std::chrono::milliseconds HttpClient::backoff(int attempt) {
    // Full jitter (uniform in [0, cap]) spreads clients that failed together.
    const auto exponent = std::min(attempt - 1, 20);
    const auto ceiling =
        std::min<std::int64_t>(policy_.max_delay.count(), policy_.base_delay.count() << exponent);
    std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(0, ceiling));
    return std::chrono::milliseconds(pick(random_));
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
    const bool may_repeat = is_retry_safe(request);
    for (int attempt = 1;; ++attempt) {
        // A request, first or repeated, never starts once the operation's deadline passed.
        if (no_time_for(std::chrono::milliseconds(0)))
            return out_of_time(request);
        auto result = transport_->perform(request);
        const bool last = attempt >= policy_.max_attempts || !may_repeat;
        if (!result.ok()) {
            if (result.error().code != ErrorCode::network || last)
                return result;
            const auto wait = backoff(attempt);
            if (no_time_for(wait))
                return with_no_time_left(result.error());
            sleep_(wait);
            continue;
        }
        const HttpResponse& response = result.value();
        const bool throttled =
            response.status == 429 || (policy_.is_throttled && policy_.is_throttled(response));
        const bool transient = retryable_status(response.status) ||
                               (policy_.is_transient && policy_.is_transient(response));
        if (!throttled && !transient)
            return result;
        std::optional<std::chrono::seconds> wait;
        if (const std::string* header = response.header("retry-after"))
            wait = parse_retry_after(*header, now_());
        const auto pause =
            wait ? std::chrono::duration_cast<std::chrono::milliseconds>(*wait) : backoff(attempt);
        const bool out_of_time = no_time_for(pause);
        if (last || out_of_time || (wait && *wait > policy_.max_retry_after)) {
            Error e =
                make_error(throttled ? ErrorCode::rate_limited : ErrorCode::http,
                           request.method + " " + shown_url(request) + ": HTTP " +
                               std::to_string(response.status) + " after " +
                               std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts"));
            e.http_status = response.status;
            e.retry_after = wait;
            return out_of_time && !last ? with_no_time_left(std::move(e)) : e;
        }
        sleep_(pause);
    }
}

}  // namespace calsync::net
