// The C++ side of the fleet benchmark (issue 16, item 7; run_fleet_bench.py drives it):
//   fleet_bench seed --store URL --plan FILE ...   connects and selects every connection of
//       the plan through calsync's own SyncService on each business's view of the fleet, so
//       the records are real (sealed credentials, cursors, the work queue's entries)
//   fleet_bench due --store URL --plan FILE --at UNIX   every connection of the plan due at
//       UNIX (FleetStore::mark_due: a new due period for all)
//   fleet_bench work --store URL --out FILE ...    one worker process: calsync::Worker on
//       the fleet until nothing is due within --drain seconds; writes one JSON line per
//       finished lease (connection, the due time the lease carried, when it finished, the
//       outcome); the driver takes the process's peak RSS from wait4
// The worker is calsync::Worker itself, as `calsync worker` runs it through the C ABI; the
// only addition is a FleetStore that forwards every call and notes when each lease ends.
//
// Plan lines (JSON): {"business", "kind": "google"|"microsoft"|"ics_feed", "id",
// "calendar" (OAuth kinds: the calendar to select; feeds select their one calendar),
// "settings" (feeds: {"url"}), "tokens" (OAuth kinds: a TOKENS document)}.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/sync.hpp"
#include "calsync/worker.hpp"

namespace {

using namespace calsync;

[[noreturn]] void die(const std::string& what) {
    std::cerr << "fleet_bench: " << what << "\n";
    std::exit(1);  // NOLINT(concurrency-mt-unsafe): the tool ends at its first error
}

template <class T>
T must(Result<T> r, const std::string& what) {
    if (!r.ok())
        die(what + ": " + r.error().message);
    return std::move(r).value();
}

void must(const Result<void>& r, const std::string& what) {
    if (!r.ok())
        die(what + ": " + r.error().message);
}

std::map<std::string, std::string> options_of(int argc, char** argv) {
    std::map<std::string, std::string> o;
    for (int i = 2; i + 1 < argc; i += 2)
        o[argv[i]] = argv[i + 1];
    return o;
}

std::string option(const std::map<std::string, std::string>& o, const std::string& name,
                   const std::string& fallback = {}) {
    auto it = o.find(name);
    if (it != o.end())
        return it->second;
    if (fallback.empty())
        die("missing " + name);
    return fallback;
}

// What seeding and every worker share: the fakes' endpoints and the host key.
SyncSettings settings_of(const std::map<std::string, std::string>& o) {
    SyncSettings s;
    s.host_key = option(o, "--host-key", std::string(32, 'k'));
    s.network.allow_private_addresses = true;
    const std::string google = option(o, "--google");
    s.google.client_id = "test-client.apps.googleusercontent.com";
    s.google.client_secret = "test-client-secret";
    s.google.token_url = google + "/token";
    s.google.revocation_url = google + "/revoke";
    s.google.api_base_url = google + "/calendar/v3";
    const std::string graph = option(o, "--graph");
    s.microsoft.client_id = "calsync-tests";
    s.microsoft.tenant = "consumers";
    s.microsoft.authority_url = graph;
    s.microsoft.api_base_url = graph + "/v1.0";
    return s;
}

std::string text_of(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return buf.GetString();
}

struct PlannedConnection {
    std::string business, kind, id, calendar, settings, tokens;
};

std::vector<PlannedConnection> read_plan(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        die("cannot read " + path);
    std::vector<PlannedConnection> plan;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        rapidjson::Document d;
        d.Parse(line.c_str());
        if (d.HasParseError() || !d.IsObject())
            die("a plan line is not a JSON object: " + path);
        PlannedConnection c;
        c.business = d["business"].GetString();
        c.kind = d["kind"].GetString();
        c.id = d["id"].GetString();
        if (d.HasMember("calendar"))
            c.calendar = d["calendar"].GetString();
        if (d.HasMember("settings"))
            c.settings = text_of(d["settings"]);
        if (d.HasMember("tokens"))
            c.tokens = text_of(d["tokens"]);
        plan.push_back(std::move(c));
    }
    return plan;
}

int seed(const std::map<std::string, std::string>& o) {
    std::shared_ptr<FleetStore> fleet = must(open_fleet(option(o, "--store")), "open the fleet");
    const SyncSettings settings = settings_of(o);
    const auto plan = read_plan(option(o, "--plan"));
    std::size_t i = 0;
    while (i < plan.size()) {
        // One business at a time: its view, a service on it, its connections.
        const std::string business = plan[i].business;
        SyncServiceOptions so;
        so.settings = settings;
        so.store = std::shared_ptr<StateStore>(
            must(fleet->open_business(business), "open business " + business));
        FleetStore* queue = fleet.get();
        so.connection_due = [queue, business](const std::string& connection, Instant due) {
            (void)queue->mark_due(business, connection, due);
        };
        auto service = must(SyncService::open(std::move(so)), "service of " + business);
        for (; i < plan.size() && plan[i].business == business; ++i) {
            const PlannedConnection& c = plan[i];
            if (c.kind == "ics_feed") {
                must(service->add_connection(ProviderKind::ics_feed, c.settings, "{}", c.id),
                     "connect " + c.id);
            } else {
                const ProviderKind kind =
                    c.kind == "google" ? ProviderKind::google : ProviderKind::microsoft;
                must(service->add_oauth_connection(kind, c.tokens, c.id), "connect " + c.id);
            }
            const auto listed = must(service->list_calendars(c.id), "calendars of " + c.id);
            std::string calendar = c.calendar;
            if (calendar.empty() && !listed.calendars.empty())
                calendar = listed.calendars.front().calendar.id;
            must(service->select_calendar(c.id, calendar, CalendarDirection::import_only),
                 "select " + calendar + " of " + c.id);
        }
    }
    std::cout << plan.size() << " connections seeded\n";
    return 0;
}

int make_due(const std::map<std::string, std::string>& o) {
    auto fleet = must(open_fleet(option(o, "--store")), "open the fleet");
    const Instant at{std::chrono::seconds(std::stoll(option(o, "--at")))};
    for (const PlannedConnection& c : read_plan(option(o, "--plan")))
        must(fleet->mark_due(c.business, c.id, at), "mark " + c.id + " due");
    return 0;
}

std::int64_t unix_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Forwards everything to the fleet; notes when each lease was finished, and the due time
// it was claimed for.
class RecordingFleet : public FleetStore {
  public:
    struct Finished {
        std::int64_t due_ms = 0;
        std::int64_t done_ms = 0;
    };

    explicit RecordingFleet(std::shared_ptr<FleetStore> inner) : inner_(std::move(inner)) {}

    Result<std::unique_ptr<StateStore>> open_business(const std::string& id) override {
        return inner_->open_business(id);
    }
    Result<std::unique_ptr<StateStore>> open_leased(const Lease& lease) override {
        return inner_->open_leased(lease);
    }
    Result<std::vector<std::string>> list_businesses() override {
        return inner_->list_businesses();
    }
    Result<std::vector<PushChannelOwner>> find_push_channel(const std::string& id) override {
        return inner_->find_push_channel(id);
    }
    Result<void> mark_due(const std::string& business, const std::string& connection,
                          Instant due) override {
        return inner_->mark_due(business, connection, due);
    }
    Result<std::vector<Lease>> claim_due(const std::string& owner, Instant now,
                                         std::chrono::seconds lease_for, std::size_t max) override {
        return inner_->claim_due(owner, now, lease_for, max);
    }
    Result<Lease> renew_lease(const Lease& lease, Instant now,
                              std::chrono::seconds lease_for) override {
        return inner_->renew_lease(lease, now, lease_for);
    }
    Result<void> finish_lease(const Lease& lease, std::optional<Instant> next_due) override {
        auto r = inner_->finish_lease(lease, next_due);
        const std::int64_t done = unix_ms_now();
        std::lock_guard<std::mutex> lock(mutex_);
        finished_[lease.connection_id] = {
            std::chrono::duration_cast<std::chrono::milliseconds>(lease.due_at.time_since_epoch())
                .count(),
            done};
        return r;
    }
    Result<std::optional<Instant>> earliest_due(Instant now) override {
        return inner_->earliest_due(now);
    }
    Result<RequestGrant> take_requests(const std::string& key, RequestRate rate,
                                       std::int64_t wanted, PreciseInstant now) override {
        return inner_->take_requests(key, rate, wanted, now);
    }

    Finished take(const std::string& connection) {
        std::lock_guard<std::mutex> lock(mutex_);
        return finished_[connection];
    }

  private:
    std::shared_ptr<FleetStore> inner_;
    std::mutex mutex_;
    std::map<std::string, Finished> finished_;
};

int work(const std::map<std::string, std::string>& o) {
    auto recording =
        std::make_shared<RecordingFleet>(must(open_fleet(option(o, "--store")), "open the fleet"));
    WorkerOptions wo;
    wo.fleet = recording;
    wo.owner = option(o, "--owner", "bench:" + std::to_string(getpid()));
    wo.settings = settings_of(o);
    wo.threads = std::stoul(option(o, "--threads", "4"));
    wo.log = [](LogLevel level, const std::string& message) {
        if (level >= LogLevel::warning)
            std::cerr << "worker: " << message << "\n";
    };
    auto worker = must(Worker::open(std::move(wo)), "open the worker");
    const std::chrono::seconds drain{std::stoll(option(o, "--drain", "90"))};
    std::ofstream out(option(o, "--out"));
    auto note = [&](const std::string& connection, const char* outcome) {
        const auto f = recording->take(connection);
        out << R"({"connection": ")" << connection << R"(", "due_ms": )" << f.due_ms
            << R"(, "done_ms": )" << f.done_ms << R"(, "outcome": ")" << outcome << "\"}\n";
    };
    for (;;) {
        auto pass = must(worker->run_once(), "a worker pass");
        for (const SyncReport& r : pass.reports)
            note(r.connection_id, "synced");
        for (const std::string& c : pass.lost)
            note(c, "lost");
        for (const std::string& c : pass.failed)
            note(c, "failed");
        if (pass.claimed > 0)
            continue;
        // Nothing claimable: done when nothing (retries included) is due soon; what other
        // workers hold is theirs.
        const Instant now =
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        auto next = must(recording->earliest_due(now), "the next due time");
        if (!next || *next > now + drain)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        die("usage: fleet_bench seed|due|work --store URL ...");
    const std::string mode = argv[1];
    const auto o = options_of(argc, argv);
    if (mode == "seed")
        return seed(o);
    if (mode == "due")
        return make_due(o);
    if (mode == "work")
        return work(o);
    die("unknown mode " + mode);
}
