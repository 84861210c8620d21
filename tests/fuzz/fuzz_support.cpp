#include "fuzz_support.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "net/oauth.hpp"

namespace calsync::fuzz {

Instant fixed_now() {
    return instant_from_unix(1'772'359'200);  // 2026-03-01T10:00:00Z
}

TimeRange sync_window() {
    using std::chrono::hours;
    return TimeRange{fixed_now() - hours(24), fixed_now() + hours(24 * 365)};
}

const std::string& host_key() {
    static const std::string key = "fuzz-host-key-0123456789abcdef-0123456789abcdef";
    return key;
}

Mode pick_mode(std::string_view input, std::string_view letters) {
    if (input.empty() || letters.empty())
        return {0, input};
    const std::size_t at = letters.find(input.front());
    const std::size_t index = at != std::string_view::npos
                                  ? at
                                  : static_cast<unsigned char>(input.front()) % letters.size();
    return {index, input.substr(1)};
}

std::vector<std::string_view> split(std::string_view text, std::string_view separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos)
            return parts;
        text.remove_prefix(at + separator.size());
    }
}

std::string_view take_line(std::string_view* text) {
    const std::size_t end = text->find('\n');
    std::string_view line = text->substr(0, end);
    text->remove_prefix(end == std::string_view::npos ? text->size() : end + 1);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

std::vector<net::Header> take_headers(std::string_view* text) {
    std::vector<net::Header> headers;
    while (!text->empty()) {
        const std::string_view line = take_line(text);
        if (line.empty())
            break;
        const std::size_t colon = line.find(':');
        std::string_view value =
            colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return headers;
}

bool parse_iteratively(std::string_view text, rapidjson::Document* doc) {
    doc->Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    return !doc->HasParseError();
}

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

net::HttpResponse parse_answer(std::string_view text) {
    net::HttpResponse answer;
    answer.status = 200;
    answer.effective_url = "https://fuzz.example/";
    if (text.substr(0, 5) != "HTTP/") {
        answer.body = std::string(text);
        return answer;
    }
    const std::string_view status_line = take_line(&text);
    const std::size_t space = status_line.find(' ');
    int status = 0;
    for (std::size_t i = space == std::string_view::npos ? status_line.size() : space + 1;
         i < status_line.size() && status < 1000 && status_line[i] >= '0' && status_line[i] <= '9';
         ++i)
        status = status * 10 + (status_line[i] - '0');
    answer.status = status;
    answer.headers = take_headers(&text);
    for (net::Header& h : answer.headers)
        h.name = lower(h.name);  // as HttpResponse holds them
    answer.body = std::string(text);
    return answer;
}

ScriptedTransport::ScriptedTransport(std::string_view script) {
    const std::vector<std::string_view> parts = split(script, kAnswerSeparator);
    std::transform(parts.begin(), parts.end(), std::back_inserter(answers_), parse_answer);
}

Result<net::HttpResponse> ScriptedTransport::perform(const net::HttpRequest& request) {
    if (next_ < answers_.size())
        return answers_[next_++];
    net::HttpResponse gone;
    gone.status = 404;
    gone.effective_url = request.url;
    return gone;
}

std::shared_ptr<net::HttpClient> scripted_http(std::string_view script, net::RetryPolicy policy) {
    policy.max_attempts = 2;
    return std::make_shared<net::HttpClient>(
        std::make_shared<ScriptedTransport>(script), std::move(policy),
        [](std::chrono::milliseconds) {}, 1,
        [] { return std::chrono::system_clock::time_point(fixed_now()); });
}

std::shared_ptr<net::OAuthSession> scripted_session(std::shared_ptr<net::HttpClient> http,
                                                    Instant expires_at) {
    net::OAuthEndpoints endpoints;
    endpoints.authorization_url = "https://login.fuzz.example/authorize";
    endpoints.token_url = "https://login.fuzz.example/token";
    net::OAuthClient client;
    client.client_id = "fuzz-client";
    client.redirect_uri = "http://127.0.0.1:8080/callback";
    auto flow = std::make_shared<net::OAuthFlow>(endpoints, client, host_key(), std::move(http));
    net::TokenSet tokens{"fuzz-access-token", "fuzz-refresh-token", "calendar", expires_at};
    return std::make_shared<net::OAuthSession>(
        flow, tokens, [] { return std::chrono::system_clock::time_point(fixed_now()); });
}

void broken(const std::string& what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
    std::abort();
}

void check_busy(const std::vector<BlockedSlot>& slots, const std::vector<TimeRange>& busy) {
    for (std::size_t i = 0; i < busy.size(); ++i) {
        if (!(busy[i].start < busy[i].end))
            broken("a busy interval is empty or reversed");
        if (i > 0 && !(busy[i - 1].end < busy[i].start))
            broken("busy intervals are not sorted, disjoint and merged");
    }
    std::vector<TimeRange> ranges;
    for (const BlockedSlot& slot : slots) {
        if (slot.range.start < slot.range.end)
            ranges.push_back(slot.range);
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const TimeRange& a, const TimeRange& b) { return a.start < b.start; });
    std::vector<TimeRange> merged;
    for (const TimeRange& r : ranges) {
        if (!merged.empty() && r.start <= merged.back().end)
            merged.back().end = std::max(merged.back().end, r.end);
        else
            merged.push_back(r);
    }
    if (merged.size() != busy.size())
        broken("busy is not the union of the slots");
    for (std::size_t i = 0; i < busy.size(); ++i) {
        if (merged[i].start != busy[i].start || merged[i].end != busy[i].end)
            broken("busy is not the union of the slots");
    }
}

}  // namespace calsync::fuzz
