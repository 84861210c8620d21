// A client of a fleet business answers from the slots a worker stored (kept_slots_scenario.hpp),
// on a SQLite fleet file.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "kept_slots_scenario.hpp"

TEST_CASE("client on a fleet store: answers from the slots a worker stored, and their changes",
          "[fleet][slots]") {
    char dir[] = "/tmp/calsync-kept-slots-sqlite-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/fleet.sqlite";
    calsync::test::check_client_reads_worker_slots("sqlite:" + path);
    CHECK(system(("rm -rf '" + std::string(dir) + "'").c_str()) == 0);
}
