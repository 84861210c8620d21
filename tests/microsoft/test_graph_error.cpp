// graph_error.cpp: Graph error bodies (errors.md) as distinct, readable calsync Errors.
#include <catch2/catch.hpp>
#include <string>

#include "providers/microsoft/graph_error.hpp"

using namespace calsync;
using namespace calsync::providers::microsoft;

namespace {

net::HttpResponse answer(int status, const std::string& code, const std::string& inner = "") {
    net::HttpResponse r;
    r.status = status;
    r.body = R"({"error":{"code":")" + code +
             R"(","message":"Developer text.","innerError":{"date":"2026-03-02T09:00:00",)" +
             (inner.empty() ? std::string(R"("request-id":"x"})")
                            : R"("code":")" + inner + R"(","request-id":"x"})") +
             "}}";
    return r;
}

}  // namespace

TEST_CASE("graph error: the body's code, message and innermost code are read") {
    auto body = parse_graph_error(answer(400, "invalidRequest", "invalidRange").body);
    REQUIRE(body.has_value());
    CHECK(body->code == "invalidRequest");
    CHECK(body->message == "Developer text.");
    CHECK(body->inner_code == "invalidRange");
    CHECK_FALSE(parse_graph_error("<html>Bad gateway</html>").has_value());
    CHECK_FALSE(parse_graph_error(R"({"value":[]})").has_value());
}

TEST_CASE("graph error: not found, access denied and conflict are distinct codes") {
    const Error missing = graph_error(answer(404, "ErrorItemNotFound"), "PATCH event");
    const Error denied = graph_error(answer(403, "ErrorAccessDenied"), "POST event");
    const Error conflict = graph_error(answer(412, "ErrorIrresolvableConflict"), "PATCH event");
    CHECK(missing.code == ErrorCode::not_found);
    CHECK(denied.code == ErrorCode::auth);
    CHECK(conflict.code == ErrorCode::conflict);
    CHECK(missing.http_status == 404);
    CHECK(conflict.http_status == 412);
    // Each names the request, Graph's code and what it means for the person.
    CHECK_THAT(missing.message, Catch::Contains("PATCH event") &&
                                    Catch::Contains("ErrorItemNotFound") &&
                                    Catch::Contains("no longer exists"));
    CHECK_THAT(denied.message,
               Catch::Contains("ErrorAccessDenied") && Catch::Contains("Calendars.Read"));
    CHECK_THAT(conflict.message, Catch::Contains("ErrorIrresolvableConflict") &&
                                     Catch::Contains("changed by someone else"));
    // A 401 that outlived the session's refresh: a different message from access denied.
    const Error signed_out =
        graph_error(answer(401, "InvalidAuthenticationToken"), "GET calendars");
    CHECK(signed_out.code == ErrorCode::auth);
    CHECK_THAT(signed_out.message, Catch::Contains("connected again"));
    CHECK(signed_out.message != denied.message);
}

TEST_CASE("graph error: throttling carries Retry-After and unknown codes keep Graph text") {
    net::HttpResponse throttled = answer(429, "TooManyRequests");
    throttled.headers.push_back({"retry-after", "17"});
    const Error e = graph_error(throttled, "GET calendarView");
    CHECK(e.code == ErrorCode::rate_limited);
    REQUIRE(e.retry_after.has_value());
    CHECK(e.retry_after->count() == 17);
    const Error other = graph_error(answer(400, "ErrorInvalidRequest"), "POST event");
    CHECK(other.code == ErrorCode::http);
    CHECK_THAT(other.message,
               Catch::Contains("ErrorInvalidRequest") && Catch::Contains("Developer text."));
    net::HttpResponse html;
    html.status = 502;
    html.body = "<html>Bad gateway</html>";
    CHECK_THAT(graph_error(html, "GET calendars").message, Catch::EndsWith("HTTP 502"));
}

TEST_CASE("graph error: a lost delta state is recognised in its documented forms") {
    CHECK(is_sync_reset(answer(410, "SyncStateNotFound")));
    CHECK(is_sync_reset(answer(400, "syncStateNotFound")));
    CHECK(is_sync_reset(answer(404, "generalException", "resyncRequired")));
    net::HttpResponse gone;
    gone.status = 410;  // "410 Gone with a Location header", body or not
    CHECK(is_sync_reset(gone));
    CHECK_FALSE(is_sync_reset(answer(404, "ErrorItemNotFound")));
    CHECK_FALSE(is_sync_reset(answer(503, "syncStateNotFound")));
}
