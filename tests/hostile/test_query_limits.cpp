// Issue 12, item 2: answers whose size the caller's arguments decide. Free windows with a
// one-second step over ten years were 315 million ranges (14 GB); such a question is
// refused with CALSYNC_ELIMIT and a message naming the limit, before the answer is built.
#include <string>

#include "bounded_child.hpp"
#include "capi_session.hpp"
#include "memory_fence.hpp"

using calsync::test::call_json;
using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

const char* const kTenYearsBySeconds =
    R"("within": {"start": "2026-01-01T00:00:00Z", "end": "2036-01-01T00:00:00Z"},
       "duration_seconds": 60, "step_seconds": 1)";

// "refused, naming the limit" when the answer is CALSYNC_ELIMIT with a message that
// says how many windows an answer may hold; else what came back.
std::string judge_refusal(const calsync::test::CallAnswer& answer) {
    if (answer.status != CALSYNC_ELIMIT)
        return "status " + std::to_string(answer.status) + ": " + answer.text.substr(0, 200);
    if (answer.text.find("100000") == std::string::npos ||
        answer.text.find("step") == std::string::npos)
        return "the message does not name the limit: " + answer.text;
    return "refused, naming the limit";
}

}  // namespace

TEST_CASE("hostile queries: the client's free slots by the second over ten years", "[hostile]") {
    auto run = run_in_child([] {
        calsync::test::fence_address_space();
        calsync_client* client = calsync::test::open_client(nullptr, "{}");
        const std::string request = std::string("{") + kTenYearsBySeconds + "}";
        const auto answer = call_json(
            [&](char** out) { return calsync_client_free_slots(client, request.c_str(), out); });
        calsync_client_free(client);
        return judge_refusal(answer);
    });
    check_within(run, "refused, naming the limit");
}

TEST_CASE("hostile queries: the engine's free slots by the second over ten years", "[hostile]") {
    auto run = run_in_child([] {
        calsync::test::fence_address_space();
        const std::string request = std::string(R"({"busy": [], )") + kTenYearsBySeconds + "}";
        const auto answer =
            call_json([&](char** out) { return calsync_engine_free_slots(request.c_str(), out); });
        return judge_refusal(answer);
    });
    check_within(run, "refused, naming the limit");
}

TEST_CASE("hostile queries: an answer just under the limit is given whole", "[hostile]") {
    auto run = run_in_child([] {
        // 100,000 one-minute starts, all free.
        const std::string request =
            R"({"busy": [], "within": {"start": "2026-01-01T00:00:00Z",
                "end": "2026-03-11T10:40:00Z"}, "duration_seconds": 60, "step_seconds": 60})";
        const auto answer =
            call_json([&](char** out) { return calsync_engine_free_slots(request.c_str(), out); });
        if (answer.status != CALSYNC_OK)
            return "status " + std::to_string(answer.status) + ": " + answer.text;
        const auto doc = calsync::test::parse_json(answer.text);
        return std::to_string(doc["free"].Size()) + " windows";
    });
    check_within(run, "100000 windows");
}
