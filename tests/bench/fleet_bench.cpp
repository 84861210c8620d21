// The C++ side of the fleet benchmark (issue 16, item 7; run_fleet_bench.py drives it):
//   fleet_bench seed --store URL --plan FILE ...   connects and selects every connection of
//       the plan through calsync's own SyncService on each business's view of the fleet, so
//       the records are real (sealed credentials, cursors, the work queue's entries)
//   fleet_bench book --store URL --plan FILE ...   books the plan's appointments through
//       each business's SyncService (connections already seeded): new bookings to export
//   fleet_bench due --store URL --plan FILE --at UNIX   every connection of the plan due at
//       UNIX (FleetStore::mark_due: a new due period for all)
//   fleet_bench work --store URL --out FILE ...    one worker process: calsync::Worker's
//       run() on the fleet (claiming as threads free up) until nothing is due within
//       --drain seconds; writes one JSON line per claimed lease ("claimed") and per finished
//       one (connection, the due time the lease carried, when it finished, the outcome),
//       each flushed at once (a killed worker's lines are all there), and every 200 ms the
//       process's peak RSS so far (VmHWM).
//       --lease SECONDS: how long a claim lasts unless renewed (WorkerOptions::lease_for).
//       --kill-after-exports K: the process SIGKILLs itself as soon as the K-th event it
//       exported was created remotely, before its sync records that: the worst moment for
//       the export intent protocol (a write landed, the store does not know), with the
//       other syncs of its pool in flight.
// The worker is calsync::Worker itself, as `calsync worker` runs it through the C ABI; the
// only additions are a FleetStore that forwards every call and notes when each lease is
// claimed and ends, and (with --kill-after-exports) a provider that forwards every call to
// the real one and counts its creates.
//
// Plan lines (JSON): {"business", "kind": "google"|"microsoft"|"ics_feed", "id",
// "calendar" (OAuth kinds: the calendar to select; feeds select their one calendar),
// "settings" (feeds: {"url"}), "tokens" (OAuth kinds: a TOKENS document), "direction"
// ("both": the calendar is also the business's export calendar; else import only),
// "appointments" ([{"id", "start", "end"} (UNIX seconds)]: the business's bookings)}.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/sync.hpp"
#include "calsync/worker.hpp"
#include "sync/fleet_budget.hpp"
#include "sync/service_state.hpp"

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
    // Shared by the fleet's workers (request_budgets); the fake enforces no quota.
    s.google.requests_per_minute = std::stoll(option(o, "--google-quota", "0"));
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

struct PlannedAppointment {
    std::string id;
    std::int64_t start = 0, end = 0;
};

struct PlannedConnection {
    std::string business, kind, id, calendar, settings, tokens;
    bool exports = false;  // direction both
    std::vector<PlannedAppointment> appointments;
};

Appointment appointment_of(const PlannedAppointment& a) {
    Appointment booked;
    booked.id = a.id;
    booked.time = {Instant{std::chrono::seconds(a.start)}, Instant{std::chrono::seconds(a.end)}};
    booked.client = "client of " + a.id;
    booked.service = "service";
    return booked;
}

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
        c.exports = d.HasMember("direction") && std::string(d["direction"].GetString()) == "both";
        if (d.HasMember("appointments"))
            for (const auto& a : d["appointments"].GetArray())
                c.appointments.push_back(
                    {a["id"].GetString(), a["start"].GetInt64(), a["end"].GetInt64()});
        plan.push_back(std::move(c));
    }
    return plan;
}

// Books the appointments of the plan's lines (their connections already seeded) through
// each business's SyncService, as a booking made in the garage's back office.
int book(const std::map<std::string, std::string>& o) {
    std::shared_ptr<FleetStore> fleet = must(open_fleet(option(o, "--store")), "open the fleet");
    const SyncSettings settings = settings_of(o);
    std::size_t booked_count = 0;
    for (const PlannedConnection& c : read_plan(option(o, "--plan"))) {
        if (c.appointments.empty())
            continue;
        SyncServiceOptions so;
        so.settings = settings;
        so.store = std::shared_ptr<StateStore>(
            must(fleet->open_business(c.business), "open business " + c.business));
        FleetStore* queue = fleet.get();
        const std::string business = c.business;
        so.connection_due = [queue, business](const std::string& connection, Instant due) {
            (void)queue->mark_due(business, connection, due);
        };
        auto service = must(SyncService::open(std::move(so)), "service of " + c.business);
        for (const PlannedAppointment& a : c.appointments) {
            must(service->upsert_appointment(appointment_of(a)), "book " + a.id);
            ++booked_count;
        }
    }
    std::cout << booked_count << " appointments booked\n";
    return 0;
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
            must(service->select_calendar(
                     c.id, calendar,
                     c.exports ? CalendarDirection::both : CalendarDirection::import_only),
                 "select " + calendar + " of " + c.id);
            for (const PlannedAppointment& a : c.appointments)
                must(service->upsert_appointment(appointment_of(a)), "book " + a.id);
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

// This process image's peak resident set (VmHWM), KiB; 0 if unknown. Not wait4's ru_maxrss:
// Linux carries the forking parent's peak over exec into it (a Python driver of hundreds
// of MiB would be counted as the worker's).
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6));
    return 0;
}

// Forwards everything to the fleet; writes a line for each lease claimed, and notes when
// each was finished and the due time it was claimed for.
class RecordingFleet : public FleetStore {
  public:
    RecordingFleet(std::shared_ptr<FleetStore> inner, std::ostream& out)
        : inner_(std::move(inner)), out_(out) {}

    Result<std::unique_ptr<StateStore>> open_business(const std::string& id) override {
        return inner_->open_business(id);
    }
    Result<LeasedView> open_leased(const Lease& lease) override {
        return recording(lease, inner_->open_leased(lease));
    }
    Result<LeasedView> open_leased(const Lease& lease, ConnectionSnapshot first_reads) override {
        return recording(lease, inner_->open_leased(lease, std::move(first_reads)));
    }
    Result<std::vector<std::optional<ConnectionSnapshot>>> read_leased_snapshots(
        const std::vector<Lease>& leases) override {
        return inner_->read_leased_snapshots(leases);
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
        auto claimed = inner_->claim_due(owner, now, lease_for, max);
        if (claimed.ok()) {
            std::lock_guard<std::mutex> lock(mutex_);
            claims_ += claimed->size();
            for (const Lease& l : claimed.value()) {
                out_ << R"({"claimed": ")" << l.connection_id << '"';
                // The peak only grows: read every 100 ms, not per claim (reading
                // /proc/self/status per sync was this harness's own cost in the worker's CPU).
                const std::int64_t now_ms = unix_ms_now();
                if (now_ms - rss_read_ms_ >= 100) {
                    rss_read_ms_ = now_ms;
                    out_ << R"(, "peak_rss_kib": )" << peak_rss_kib();
                }
                out_ << "}" << std::endl;
            }
        }
        return claimed;
    }
    Result<Lease> renew_lease(const Lease& lease, Instant now,
                              std::chrono::seconds lease_for) override {
        return inner_->renew_lease(lease, now, lease_for);
    }
    Result<void> finish_lease(const Lease& lease, std::optional<Instant> next_due) override {
        auto r = inner_->finish_lease(lease, next_due);
        record_finish(lease);
        return r;
    }
    Result<std::optional<Instant>> earliest_due(Instant now) override {
        return inner_->earliest_due(now);
    }
    Result<RequestGrant> take_requests(const std::string& key, RequestRate rate,
                                       std::int64_t wanted, PreciseInstant now) override {
        return inner_->take_requests(key, rate, wanted, now);
    }

    // The process's peak RSS so far, on a line of its own (lines are written whole, under
    // the lock, as the pool's threads write theirs).
    void note_peak_rss() {
        std::lock_guard<std::mutex> lock(mutex_);
        out_ << R"({"peak_rss_kib": )" << peak_rss_kib() << "}" << std::endl;
    }

    // The worker could not sync this connection and gives its lease back next.
    void failing(const std::string& connection) {
        std::lock_guard<std::mutex> lock(mutex_);
        failing_.insert(connection);
    }

    // Leases claimed and not finished (a lease lost to another worker stays counted), and
    // how many calls claimed or finished any: a changing count is a worker at work.
    std::pair<std::size_t, std::size_t> held_and_activity() {
        std::lock_guard<std::mutex> lock(mutex_);
        return {claims_ - std::min(claims_, finishes_), claims_ + finishes_};
    }

  private:
    // A lease its sync's end released is recorded when the worker first asks (at once).
    Result<LeasedView> recording(const Lease& lease, Result<LeasedView> view) {
        if (view.ok()) {
            auto recorded = std::make_shared<std::once_flag>();
            view->released = [this, lease, recorded, released = view->released] {
                const bool yes = released();
                if (yes)
                    std::call_once(*recorded, [&] { record_finish(lease); });
                return yes;
            };
        }
        return view;
    }
    // A finished lease's line, flushed at once: "failed" when the worker gave it back after
    // logging that it could not sync it (failing()), else "synced".
    void record_finish(const Lease& lease) {
        const std::int64_t done = unix_ms_now();
        const std::int64_t due =
            std::chrono::duration_cast<std::chrono::milliseconds>(lease.due_at.time_since_epoch())
                .count();
        std::lock_guard<std::mutex> lock(mutex_);
        ++finishes_;
        const bool failed = failing_.erase(lease.connection_id) > 0;
        out_ << R"({"connection": ")" << lease.connection_id << R"(", "due_ms": )" << due
             << R"(, "done_ms": )" << done << R"(, "outcome": ")" << (failed ? "failed" : "synced")
             << "\"}" << std::endl;
    }

    std::shared_ptr<FleetStore> inner_;
    std::ostream& out_;
    std::mutex mutex_;
    std::set<std::string> failing_;
    std::size_t claims_ = 0;
    std::size_t finishes_ = 0;
    std::int64_t rss_read_ms_ = 0;  // when peak_rss_kib() was last read for a claim
};

// The real provider, forwarding every call; the process SIGKILLs itself once the K-th
// create of the process landed, before the sync that made it can record it.
class KillingProvider : public CalendarProvider {
  public:
    KillingProvider(std::unique_ptr<CalendarProvider> real, std::atomic<long>& creates_left)
        : real_(std::move(real)), creates_left_(creates_left) {}

    Result<std::vector<Calendar>> list_calendars() override { return real_->list_calendars(); }
    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange& window) override {
        return real_->fetch_changes(calendar_id, cursor, window);
    }
    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override {
        auto made = real_->create_event(calendar_id, event);
        if (made.ok() && --creates_left_ == 0)
            (void)std::raise(SIGKILL);
        return made;
    }
    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override {
        return real_->update_event(calendar_id, existing, event);
    }
    Result<void> delete_event(const std::string& calendar_id,
                              const RemoteEvent& existing) override {
        return real_->delete_event(calendar_id, existing);
    }
    std::string learned_settings() const override { return real_->learned_settings(); }
    ProviderCapabilities capabilities() const override { return real_->capabilities(); }
    PushChannels* push() override { return real_->push(); }
    Result<std::optional<RemoteEvent>> find_export(const std::string& calendar_id,
                                                   const std::string& appointment_id) override {
        return real_->find_export(calendar_id, appointment_id);
    }

  private:
    std::unique_ptr<CalendarProvider> real_;
    std::atomic<long>& creates_left_;
};

int work(const std::map<std::string, std::string>& o) {
    std::ofstream out(option(o, "--out"));
    auto recording = std::make_shared<RecordingFleet>(
        must(open_fleet(option(o, "--store")), "open the fleet"), out);
    WorkerOptions wo;
    wo.fleet = recording;
    wo.owner = option(o, "--owner", "bench:" + std::to_string(getpid()));
    wo.settings = settings_of(o);
    wo.threads = std::stoul(option(o, "--threads", "4"));
    wo.lease_for = std::chrono::seconds(std::stoll(option(o, "--lease", "60")));
    // Outlives the worker, declared below.
    std::atomic<long> creates_left{std::stol(option(o, "--kill-after-exports", "-1"))};
    if (creates_left > 0) {
        const SyncSettings settings = wo.settings;
        // The fleet's shared Google budget, as the worker gives its default providers.
        const RequestBudgets budgets = sync::fleet_request_budgets(recording);
        wo.provider_factory =
            [settings, budgets, &creates_left](
                const ProviderContext& context) -> Result<std::unique_ptr<CalendarProvider>> {
            auto real = make_default_provider(context, settings, budgets);
            if (!real.ok())
                return real.error();
            return std::unique_ptr<CalendarProvider>(
                std::make_unique<KillingProvider>(std::move(real).value(), creates_left));
        };
    }
    // A sync that failed is finished like one that succeeded (due again later): the
    // worker's log, which names the connection, tells them apart.
    wo.log = [&recording](LogLevel level, const std::string& message) {
        if (level < LogLevel::warning)
            return;
        std::cerr << "worker: " << message << "\n";
        const std::string marker = ", connection ";
        const auto at = message.find(marker);
        const auto end = message.find(": not synced", at == std::string::npos ? 0 : at);
        if (level == LogLevel::error && at != std::string::npos && end != std::string::npos)
            recording->failing(message.substr(at + marker.size(), end - at - marker.size()));
    };
    auto worker = must(Worker::open(std::move(wo)), "open the worker");
    const std::chrono::seconds drain{std::stoll(option(o, "--drain", "90"))};
    const std::chrono::seconds lease_for{std::stoll(option(o, "--lease", "60"))};
    // As `calsync worker` runs: claiming as threads free up. Done when nothing (retries
    // included) is due within the drain and this worker holds no lease (or, with a lease
    // lost to another worker, has neither claimed nor finished any for a lease's length);
    // what other workers hold is theirs.
    std::thread runner([&worker] { worker->run(); });
    auto last_activity = std::chrono::steady_clock::now();
    std::size_t activity = 0;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        recording->note_peak_rss();
        const auto [held, seen] = recording->held_and_activity();
        if (seen != activity) {
            activity = seen;
            last_activity = std::chrono::steady_clock::now();
        }
        if (held > 0 && std::chrono::steady_clock::now() - last_activity < lease_for)
            continue;
        const Instant now =
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        auto next = must(recording->earliest_due(now), "the next due time");
        if (!next || *next > now + drain)
            break;
    }
    worker->stop();
    runner.join();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        die("usage: fleet_bench seed|book|due|work --store URL ...");
    const std::string mode = argv[1];
    const auto o = options_of(argc, argv);
    if (mode == "seed")
        return seed(o);
    if (mode == "book")
        return book(o);
    if (mode == "due")
        return make_due(o);
    if (mode == "work")
        return work(o);
    die("unknown mode " + mode);
}
