// run_due against servers that never answer (issue 16: "against a dead server one call
// over 200 connections was still running after 60 s"): calsync_client_run_due_within
// returns at its wait, and closing the client then ends the syncs left running.
#include <calsync.h>
#include <rapidjson/document.h>

#include <string>

#include "bounded_child.hpp"
#include "capi_session.hpp"
#include "hostile_server.hpp"

using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

constexpr int kFeeds = 20;

// kFeeds feeds on a server that answers each one's first request (the connect) and then
// nothing; syncs may take a minute each, four at a time. The verdict: how many syncs
// finished and how many were left unfinished after a wait of half a second.
std::string run_due_half_a_second(const calsync::test::HostileServer& server) {
    calsync_client* client = calsync::test::open_client(
        nullptr, R"({"network": {"allow_private_addresses": true, "sync_timeout_seconds": 60},
                     "max_concurrent_syncs": 4})");
    for (int i = 0; i < kFeeds; ++i) {
        // Connecting reads the feed once (answered); selecting needs no request.
        const std::string connect =
            R"({"kind": "ics_feed", "connection_id": "dead)" + std::to_string(i) +
            R"(", "settings": {"url": ")" +
            server.a("/slow?mode=silent&first=feed&n=" + std::to_string(i)) + R"("}})";
        calsync_connection* connection = nullptr;
        if (calsync_client_connect(client, connect.c_str(), &connection) != CALSYNC_OK)
            return std::string("connect: ") + calsync_last_error_message();
        const calsync_status selected = calsync_connection_select(
            connection, R"({"calendar_id": "feed", "direction": "import"})");
        calsync_connection_free(connection);
        if (selected != CALSYNC_OK)
            return std::string("select: ") + calsync_last_error_message();
    }
    char* out = nullptr;
    if (calsync_client_run_due_within(client, 500, &out) != CALSYNC_OK)
        return std::string("run_due_within: ") + calsync_last_error_message();
    rapidjson::Document doc;
    doc.Parse(out);
    calsync_string_free(out);
    const std::string verdict = std::to_string(doc["reports"].Size()) + " finished, " +
                                std::to_string(doc["unfinished"].Size()) + " unfinished";
    calsync_client_free(client);  // cancels the four running syncs: about a second
    return verdict;
}

}  // namespace

TEST_CASE("hostile network: run_due_within returns at its wait when no server answers",
          "[hostile][network]") {
    calsync::test::HostileServer server;
    auto run =
        run_in_child([&] { return run_due_half_a_second(server); }, std::chrono::seconds(60));
    check_within(run, "0 finished, " + std::to_string(kFeeds) + " unfinished");
}
