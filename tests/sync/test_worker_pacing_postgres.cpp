// Google's quota is per OAuth project, whatever number of processes send on it (issue 16,
// item 3): two worker processes on one real PostgreSQL, syncing Google connections of one
// OAuth client against tests/fakes/google/google_fake.py with the real providers, together
// send no more than the project's pace allows over the time they ran (each alone paced
// itself at the whole quota before the fleet's shared budget: together twice of it).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <sstream>

#include "calsync/fleet.hpp"
#include "calsync/sync.hpp"
#include "calsync/worker.hpp"
#include "fleet_client.hpp"
#include "forked_report.hpp"
#include "google_fake.hpp"
#include "pg_test_server.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

constexpr int kConnections = 24;
constexpr std::int64_t kQuotaPerMinute = 600;  // paced at 9 a second, bursts of 6

SyncSettings google_settings(const GoogleFake& fake) {
    SyncSettings s;
    s.host_key = std::string(32, 'h');
    s.google.client_id = kClientId;
    s.google.client_secret = kClientSecret;
    s.google.redirect_uri = "http://127.0.0.1:9/callback";
    s.google.authorization_url = fake.url("/o/oauth2/v2/auth");
    s.google.token_url = fake.url("/token");
    s.google.revocation_url = fake.url("/revoke");
    s.google.api_base_url = fake.api_base();
    s.network.allow_private_addresses = true;
    return s;
}

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// A worker process on its own connection to the fleet, with the real providers: syncs
// until nothing is due, then writes "synced N FROM TO" (the steady clock's nanoseconds
// before its worker opened and after its last pass: every request it sent went out
// between) or "error ..." to the pipe.
pid_t fork_worker(const std::string& conninfo, const SyncSettings& settings,
                  const std::string& owner, int* out) {
    return fork_reporting(
        [&]() -> std::string {
            const std::int64_t from = steady_ns();
            auto own = open_postgres_fleet(conninfo);
            if (!own.ok())
                return "error " + own.error().message;
            WorkerOptions o;
            o.fleet = std::shared_ptr<FleetStore>(std::move(own).value());
            o.owner = owner;
            o.settings = settings;
            o.threads = 2;
            auto worker = Worker::open(std::move(o));
            if (!worker.ok())
                return "error " + worker.error().message;
            std::size_t synced = 0;
            for (;;) {
                auto pass = worker.value()->run_once();
                if (!pass.ok())
                    return "error " + pass.error().message;
                if (pass->claimed == 0)
                    break;
                if (!pass->failed.empty())
                    return "error failed: " + pass->failed[0];
                synced += pass->reports.size();
            }
            return "synced " + std::to_string(synced) + " " + std::to_string(from) + " " +
                   std::to_string(steady_ns());
        },
        out);
}

int api_requests(const GoogleFake& fake) {
    return parse_json(fake.inspect("stats"))["api_requests"].GetInt();
}

}  // namespace

TEST_CASE("two worker processes keep together to one Google project's quota",
          "[worker][postgres][pacing]") {
    GoogleFake fake;
    // Several pages per calendar read: a few requests per sync.
    fake.control("config", R"({"page_size": 2})");
    const Instant soon =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
        std::chrono::hours(48);
    for (int i = 0; i < 6; ++i)
        fake.put_event(R"({"id":"mot)" + std::to_string(i) +
                       R"(","summary":"MOT","start":{"dateTime":")" + format_rfc3339(soon) +
                       R"("},"end":{"dateTime":")" + format_rfc3339(soon + std::chrono::hours(1)) +
                       R"("}})");
    const std::string conninfo = PostgresTestServer::shared().new_database();
    std::shared_ptr<FleetStore> fleet;
    {
        auto opened = open_postgres_fleet(conninfo);
        REQUIRE(opened.ok());
        fleet = std::move(opened).value();
    }
    SyncSettings settings = google_settings(fake);
    // Connected and selected by clients of each business (at Google's default pace), each
    // connection queued as due.
    for (int b = 0; b < kConnections; ++b) {
        SyncServiceOptions o;
        o.settings = settings;
        auto client = fleet_client(*fleet, "garage" + std::to_string(b), std::move(o));
        auto connected =
            client->add_oauth_connection(ProviderKind::google, tokens_document(fake.grant()));
        INFO((connected.ok() ? "" : connected.error().message));
        REQUIRE(connected.ok());
        REQUIRE(
            client->select_calendar(connected.value(), kCalendar, CalendarDirection::import_only)
                .ok());
    }
    fleet.reset();
    const int before = api_requests(fake);

    settings.google.requests_per_minute = kQuotaPerMinute;
    int pipes[2];
    const pid_t first = fork_worker(conninfo, settings, "process-1", &pipes[0]);
    const pid_t second = fork_worker(conninfo, settings, "process-2", &pipes[1]);
    const std::string reports[] = {read_all(pipes[0]), read_all(pipes[1])};
    int status = 0;
    REQUIRE(waitpid(first, &status, 0) == first);
    REQUIRE(waitpid(second, &status, 0) == second);
    const int sent = api_requests(fake) - before;

    std::size_t synced = 0;
    std::int64_t from = std::numeric_limits<std::int64_t>::max();
    std::int64_t to = 0;
    for (const std::string& r : reports) {
        INFO(r);
        std::istringstream words(r);
        std::string word;
        std::size_t n = 0;
        std::int64_t first = 0;
        std::int64_t last = 0;
        REQUIRE((words >> word >> n >> first >> last));
        REQUIRE(word == "synced");
        synced += n;
        from = std::min(from, first);
        to = std::max(to, last);
    }
    // Both processes' time together, from the first one's start to the last one's end.
    const double elapsed = static_cast<double>(to - from) / 1e9;
    CHECK(synced == kConnections);
    // Each sync read the calendar's pages: many more requests than the burst alone.
    REQUIRE(sent >= 3 * kConnections);
    // The pace the project allows, 90 % of its quota (providers/google/google_api_client.hpp),
    // from the shared bucket, over the time both processes ran: every request went out on a
    // grant the bucket gave within that time. One request more covers the bucket's clock
    // (the system's, in milliseconds) and this one (steady) drifting apart.
    const double per_second = 0.9 * kQuotaPerMinute / 60.0;
    const double burst = kQuotaPerMinute / 100.0;
    const double allowed = burst + per_second * elapsed + 1.0;
    INFO(sent << " Google requests in " << elapsed << " s by two workers; the project allows "
              << allowed);
    CHECK(sent <= allowed);
}
