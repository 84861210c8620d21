// Servers that hold a sync hostage (issue 12, item 9): a slowloris feed that trickles its
// body, one that never answers. One deadline per connection sync: the sync ends near it,
// however many requests and retries it would otherwise make.
#include <calsync.h>
#include <rapidjson/document.h>

#include <string>

#include "bounded_child.hpp"
#include "hostile_server.hpp"

using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

const unsigned char kKey[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

// A client with a one-second sync deadline connects the feed and syncs it once; the
// verdict is the state the sync ended in and whether its message names the deadline.
std::string sync_with_one_second_deadline(const std::string& feed_url) {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    o.config_json = R"({"network": {"allow_private_addresses": true, "sync_timeout_seconds": 1}})";
    calsync_client* client = nullptr;
    if (calsync_client_new(&o, &client) != CALSYNC_OK)
        return std::string("client: ") + calsync_last_error_message();
    const std::string connect =
        R"({"kind": "ics_feed", "connection_id": "slow", "settings": {"url": ")" + feed_url +
        R"("}})";
    calsync_connection* connection = nullptr;
    if (calsync_client_connect(client, connect.c_str(), &connection) != CALSYNC_OK)
        return std::string("connect: ") + calsync_last_error_message();
    if (calsync_connection_select(
            connection, R"({"calendar_id": "feed", "direction": "import"})") != CALSYNC_OK)
        return std::string("select: ") + calsync_last_error_message();
    char* report = nullptr;
    std::string verdict;
    if (calsync_connection_sync(connection, &report) != CALSYNC_OK) {
        verdict = std::string("sync: ") + calsync_last_error_message();
    } else {
        rapidjson::Document doc;
        doc.Parse(report);
        calsync_string_free(report);
        const std::string state = doc["status"]["state"].GetString();
        const std::string message = doc["status"]["last_error"].GetString();
        verdict = state +
                  (message.find("time limit") != std::string::npos ? ": deadline" : ": " + message);
    }
    calsync_connection_free(connection);
    calsync_client_free(client);
    return verdict;
}

}  // namespace

TEST_CASE("hostile network: a feed trickling its body ends the sync at its deadline",
          "[hostile][network]") {
    calsync::test::HostileServer server;
    const std::string url = server.a("/slow?mode=body&first=feed");
    auto run =
        run_in_child([&] { return sync_with_one_second_deadline(url); }, std::chrono::seconds(30));
    check_within(run, "error: deadline");
    CHECK(run.seconds >= 0.9);  // it was the deadline that ended it, not a quick failure
}

TEST_CASE("hostile network: a feed that never answers ends the sync at its deadline",
          "[hostile][network]") {
    calsync::test::HostileServer server;
    const std::string url = server.a("/slow?mode=silent&first=feed");
    auto run =
        run_in_child([&] { return sync_with_one_second_deadline(url); }, std::chrono::seconds(30));
    check_within(run, "error: deadline");
}
