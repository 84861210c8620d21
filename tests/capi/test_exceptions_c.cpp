// No exception crosses the C ABI: against libcalsync_test_hooks (capi/test_hooks.hpp),
// whose CALSYNC_TEST_THROW_IN makes a named function throw inside its guard. The release
// library has no such hook (tests/integration/no_test_hooks.sh).
#define CATCH_CONFIG_MAIN
#include <calsync.h>
#include <stdlib.h>

#include <catch2/catch.hpp>

namespace {

const unsigned char kKey[32] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};

}  // namespace

TEST_CASE("client: an internal failure becomes CALSYNC_EINTERNAL, never an exception") {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    calsync_client* client = nullptr;
    REQUIRE(calsync_client_new(&o, &client) == CALSYNC_OK);
    setenv("CALSYNC_TEST_THROW_IN", "calsync_client_connections", 1);
    char* out = nullptr;
    const calsync_status s = calsync_client_connections(client, &out);
    unsetenv("CALSYNC_TEST_THROW_IN");
    CHECK(s == CALSYNC_EINTERNAL);
    CHECK(out == nullptr);
    CHECK_THAT(calsync_last_error_message(),
               Catch::Contains("calsync_client_connections: internal error"));
    // The client still works afterwards.
    CHECK(calsync_client_connections(client, &out) == CALSYNC_OK);
    calsync_string_free(out);
    calsync_client_free(client);
}

TEST_CASE("engine: a stateless function's failure is CALSYNC_EINTERNAL too") {
    setenv("CALSYNC_TEST_THROW_IN", "calsync_engine_free_slots", 1);
    char* out = nullptr;
    const calsync_status s = calsync_engine_free_slots(
        R"({"busy": [], "within": {"start": "2026-01-01T00:00:00Z",
            "end": "2026-01-02T00:00:00Z"}, "duration_seconds": 3600, "step_seconds": 3600})",
        &out);
    unsetenv("CALSYNC_TEST_THROW_IN");
    CHECK(s == CALSYNC_EINTERNAL);
    CHECK(out == nullptr);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("provoked"));
}
