// calsync_worker_* and calsync_client_run_due_within through the shared library: the
// mistakes a caller can make, answered as calsync.h documents them, and one pass of a
// worker on an empty in-memory fleet.
#include <calsync.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

namespace {

const unsigned char kKey[32] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
                                5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};

calsync_worker_options memory_worker() {
    calsync_worker_options o = CALSYNC_WORKER_OPTIONS_INIT;
    o.store_url = "memory:";
    o.owner = "capi-test";
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    return o;
}

}  // namespace

TEST_CASE("worker: one pass on an empty fleet claims nothing", "[worker]") {
    calsync_worker_options o = memory_worker();
    calsync_worker* worker = nullptr;
    REQUIRE(calsync_worker_new(&o, &worker) == CALSYNC_OK);
    char* out = nullptr;
    REQUIRE(calsync_worker_run_once(worker, &out) == CALSYNC_OK);
    rapidjson::Document doc;
    doc.Parse(out);
    calsync_string_free(out);
    CHECK(doc["version"].GetInt() == 1);
    CHECK(doc["claimed"].GetInt() == 0);
    CHECK(doc["reports"].Empty());
    CHECK(doc["lost"].Empty());
    CHECK(doc["failed"].Empty());
    CHECK(calsync_worker_mark_due(worker, "default", "nobody") == CALSYNC_ENOTFOUND);
    CHECK(calsync_worker_stop(worker) == CALSYNC_OK);
    CHECK(calsync_worker_run(worker) == CALSYNC_OK);  // stopped: returns at once
    calsync_worker_free(worker);
    calsync_worker_free(nullptr);
}

TEST_CASE("worker: mistakes are CALSYNC_EINVAL naming the field", "[worker]") {
    calsync_worker* worker = nullptr;
    calsync_worker_options o = memory_worker();
    SECTION("no store") {
        o.store_url = nullptr;
        CHECK(calsync_worker_new(&o, &worker) == CALSYNC_EINVAL);
        CHECK(std::string(calsync_last_error_message()).find("store_url") != std::string::npos);
    }
    SECTION("a short key") {
        o.host_key_length = 8;
        CHECK(calsync_worker_new(&o, &worker) == CALSYNC_EINVAL);
        CHECK(std::string(calsync_last_error_message()).find("host_key") != std::string::npos);
    }
    SECTION("another options version") {
        o.version = 99;
        CHECK(calsync_worker_new(&o, &worker) == CALSYNC_EINVAL);
    }
    SECTION("a lease too short to renew") {
        o.lease_seconds = 1;
        CHECK(calsync_worker_new(&o, &worker) == CALSYNC_EINVAL);
        CHECK(std::string(calsync_last_error_message()).find("lease") != std::string::npos);
    }
    SECTION("a store that cannot be opened") {
        o.store_url = "sqlite:/nonexistent/dir/fleet.sqlite";
        CHECK(calsync_worker_new(&o, &worker) == CALSYNC_ERROR);
        CHECK(std::string(calsync_last_error_message()).find("store_url") != std::string::npos);
    }
    CHECK(worker == nullptr);  // untouched on failure
    CHECK(calsync_worker_run_once(nullptr, nullptr) == CALSYNC_EINVAL);
}

TEST_CASE("run_due_within: the wait must be 1 ms to an hour", "[run_due]") {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    calsync_client* client = nullptr;
    REQUIRE(calsync_client_new(&o, &client) == CALSYNC_OK);
    char* out = nullptr;
    CHECK(calsync_client_run_due_within(client, 0, &out) == CALSYNC_EINVAL);
    CHECK(calsync_client_run_due_within(client, 3600001, &out) == CALSYNC_EINVAL);
    CHECK(out == nullptr);
    REQUIRE(calsync_client_run_due_within(client, 1000, &out) == CALSYNC_OK);
    rapidjson::Document doc;
    doc.Parse(out);
    calsync_string_free(out);
    CHECK(doc["reports"].Empty());
    CHECK(doc["unfinished"].Empty());
    calsync_client_free(client);
}
