// The C ABI (capi/calsync_c.cpp): status codes, messages naming the field, ownership.
#define CATCH_CONFIG_MAIN
#include <calsync.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

namespace {

char kSentinel[] = "untouched";

struct Call {
    calsync_status status;
    std::string message;
    std::string response;
};

Call blocked(const std::string& request) {
    char* out = kSentinel;
    Call c{calsync_engine_blocked_slots(request.c_str(), &out), calsync_last_error_message(), ""};
    if (c.status == CALSYNC_OK) {
        c.response = out;
        calsync_string_free(out);
    } else {
        REQUIRE(out == kSentinel);  // left untouched on failure
    }
    return c;
}

const std::string kWindow =
    R"("window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"})";

}  // namespace

TEST_CASE("versions") {
    CHECK(calsync_abi_version() == CALSYNC_ABI_VERSION);
    // One version story: the library reports the release of the header it was built
    // with, and a 1.x release is ABI 1 (the SONAME libcalsync.so.1).
    CHECK(std::string(calsync_version()) == CALSYNC_VERSION_STRING);
    CHECK(std::string(calsync_version()) == std::to_string(CALSYNC_VERSION_MAJOR) + "." +
                                                std::to_string(CALSYNC_VERSION_MINOR) + "." +
                                                std::to_string(CALSYNC_VERSION_PATCH));
    CHECK(CALSYNC_VERSION_MAJOR == CALSYNC_ABI_VERSION);
    CHECK(CALSYNC_VERSION_NUMBER ==
          CALSYNC_VERSION_MAJOR * 10000 + CALSYNC_VERSION_MINOR * 100 + CALSYNC_VERSION_PATCH);
}

TEST_CASE("bad requests name what is wrong") {
    struct Case {
        std::string request;
        calsync_status status;
        std::string mention;
    };
    const Case cases[] = {
        {"{not json", CALSYNC_EINVAL, "not valid JSON"},
        {"[]", CALSYNC_EINVAL, "expected a JSON object"},
        {"{" + kWindow + R"(, "calendars": []})", CALSYNC_EINVAL, R"(member "zone": missing)"},
        {R"({"zone": "UTC", "calendars": []})", CALSYNC_EINVAL, R"(member "window": missing)"},
        {R"({"zone": "UTC", )" + kWindow + "}", CALSYNC_EINVAL, R"(member "calendars": missing)"},
        {R"({"zone": 3, )" + kWindow + R"(, "calendars": []})", CALSYNC_EINVAL,
         R"(member "zone": expected a string)"},
        {R"({"zone": "UTC", "window": 5, "calendars": []})", CALSYNC_EINVAL,
         R"(member "window": expected an object {"start", "end"})"},
        {R"({"zone": "UTC", )" + kWindow +
             R"(, "calendars": [{"id": "c", "events": [{"id": "a", "start": {"date_time": "2026-01-05T10:00:00Z"}}, {"id": "b", "start": "soon"}]}]})",
         CALSYNC_EINVAL, "calendars[0].events[1].start"},
        {R"({"zone": "UTC", )" + kWindow +
             R"(, "calendars": [{"id": "c", "events": [{"id": "a", "start": {"date": "2026-01-05"}, "status": "maybe"}]}]})",
         CALSYNC_EINVAL, "member \"calendars[0].events[0].status\": unknown value \"maybe\""},
        {R"({"zone": "UTC", )" + kWindow + R"(, "calendars": [{"id": "c"}]})", CALSYNC_EINVAL,
         "exactly one of \"ics\" or \"events\""},
        {R"({"zone": "Nowhere/Land", )" + kWindow + R"(, "calendars": []})", CALSYNC_EZONE,
         "Nowhere/Land"},
        {R"({"zone": "UTC", )" + kWindow + R"(, "calendars": [{"id": "c", "ics": "hello"}]})",
         CALSYNC_EPARSE, "calendars[0].ics"},
    };
    for (const Case& c : cases) {
        INFO(c.request);
        const Call got = blocked(c.request);
        CHECK(got.status == c.status);
        CHECK_THAT(got.message, Catch::Contains(c.mention));
    }
}

TEST_CASE("NULL arguments") {
    char* out = kSentinel;
    CHECK(calsync_engine_blocked_slots(nullptr, &out) == CALSYNC_EINVAL);
    CHECK(out == kSentinel);
    CHECK(calsync_engine_blocked_slots("{}", nullptr) == CALSYNC_EINVAL);
    CHECK(calsync_engine_free_slots(nullptr, &out) == CALSYNC_EINVAL);
    calsync_string_free(nullptr);
}

TEST_CASE("events JSON: time forms, unusable events reported, the rest still blocks") {
    const Call got = blocked(R"({"version": 1, "zone": "Europe/Berlin", )" + kWindow +
                             R"(, "calendars": [{"id": "w", "name": "Work", "events": [
        {"id": "utc", "start": {"date_time": "2026-01-05T09:00:00Z"}, "duration": "PT1H"},
        {"id": "offset", "start": {"date_time": "2026-01-06T10:00:00+01:00"}, "duration": "PT1H"},
        {"id": "zoned", "start": {"date_time": "2026-01-07T10:00:00", "time_zone": "Europe/Berlin"}, "duration": "PT1H"},
        {"id": "floating", "start": {"date_time": "2026-01-08T10:00:00"}, "duration": "PT1H"},
        {"id": "day", "start": {"date": "2026-01-09"}},
        {"id": "mars", "start": {"date_time": "2026-01-10T10:00:00", "time_zone": "Mars/Base"}},
        {"id": "rule", "start": {"date_time": "2026-01-11T10:00:00Z"}, "recurrence": {"rrule": ["FREQ=OFTEN"]}},
        {"id": "mine", "start": {"date_time": "2026-01-12T10:00:00Z"}, "duration": "PT1H", "export_marker": "appt-1"}
    ]}]})");
    REQUIRE(got.status == CALSYNC_OK);
    rapidjson::Document doc;
    doc.Parse(got.response.c_str());
    REQUIRE(doc["version"].GetInt() == 1);
    const auto& slots = doc["slots"];
    REQUIRE(slots.Size() == 5);
    // Berlin is UTC+1 in January: 10:00 local is 09:00Z.
    const char* expected[] = {"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z",
                              "2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z",
                              "2026-01-08T23:00:00Z"};
    for (rapidjson::SizeType i = 0; i < 5; ++i) {
        CHECK(std::string(slots[i]["start"].GetString()) == expected[i]);
        CHECK(std::string(slots[i]["label"].GetString()) == "Work");
    }
    CHECK(slots[4]["all_day"].GetBool());
    const auto& errors = doc["errors"];
    REQUIRE(errors.Size() == 2);
    CHECK(std::string(errors[0]["event_id"].GetString()) == "mars");
    CHECK(std::string(errors[1]["event_id"].GetString()) == "rule");
}

TEST_CASE("the last error is per thread and cleared by a success") {
    std::string in_thread;
    std::thread t([&] {
        char* out = nullptr;
        calsync_engine_blocked_slots("{oops", &out);
        in_thread = calsync_last_error_message();
    });
    t.join();
    CHECK_THAT(in_thread, Catch::Contains("not valid JSON"));
    CHECK(std::string(calsync_last_error_message()).find("not valid JSON") == std::string::npos);
    blocked(R"({"zone": "Nowhere/Land", )" + kWindow + R"(, "calendars": []})");
    CHECK(std::string(calsync_last_error_message()) != "");
    blocked(R"({"zone": "UTC", )" + kWindow + R"(, "calendars": []})");
    CHECK(std::string(calsync_last_error_message()).empty());
}

TEST_CASE("free slots") {
    char* out = nullptr;
    REQUIRE(calsync_engine_free_slots(
                R"({"busy": [{"start": "2026-01-05T10:00:00Z", "end": "2026-01-05T11:00:00Z"},
                             {"start": "2026-01-05T09:30:00Z", "end": "2026-01-05T10:30:00Z"}],
                    "within": {"start": "2026-01-05T09:00:00Z", "end": "2026-01-05T13:00:00Z"},
                    "duration_seconds": 3600, "step_seconds": 1800})",
                &out) == CALSYNC_OK);
    rapidjson::Document doc;
    doc.Parse(out);
    calsync_string_free(out);
    // Busy 09:30-11:00 after merging: free starts 11:00, 11:30, 12:00.
    REQUIRE(doc["free"].Size() == 3);
    CHECK(std::string(doc["free"][0]["start"].GetString()) == "2026-01-05T11:00:00Z");
    CHECK(std::string(doc["free"][2]["end"].GetString()) == "2026-01-05T13:00:00Z");
    char* untouched = kSentinel;
    CHECK(
        calsync_engine_free_slots(
            R"({"busy": [], "within": {"start": "2026-01-05T09:00:00Z", "end": "2026-01-05T13:00:00Z"},
                  "duration_seconds": 0, "step_seconds": 60})",
            &untouched) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("duration_seconds"));
    CHECK(untouched == kSentinel);
}
