// SyncService: opening, syncing on demand and on schedule, appointments, and the answers
// hosts ask for (blocked slots, availability, status). Connecting lives in
// connections.cpp, one sync in sync_run.cpp, the health check in health.cpp.
#include "calsync/sync.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <thread>

#include "core/user_terms.hpp"
#include "sync/business_settings.hpp"
#include "sync/service_state.hpp"
#include "sync/sync_run.hpp"

namespace calsync {

Result<std::unique_ptr<SyncService>> SyncService::open(SyncServiceOptions options) {
    if (!options.store)
        return make_error(ErrorCode::invalid_argument, "store: a StateStore is required");
    if (options.settings.host_key.size() < 32)
        return make_error(ErrorCode::invalid_argument,
                          "the host key must be at least 32 secret bytes the host keeps");
    const auto& s = options.settings;
    if (s.window_days_back < 0 || s.window_days_ahead <= 0)
        return member_error("window", "days back must be >= 0 and days ahead > 0");
    if (s.schedule.min_interval > s.schedule.max_interval)
        return member_error("schedule", "min_interval_minutes is longer than max_interval_minutes");
    if (s.max_concurrent_syncs < 1)
        return member_error("max_concurrent_syncs", "at least 1");
    const std::pair<json::SecondsRange, std::chrono::seconds> timeouts[] = {
        {json::kConnectTimeoutRange, s.network.connect_timeout},
        {json::kTotalTimeoutRange, s.network.total_timeout},
        {json::kSyncTimeoutRange, s.network.sync_timeout}};
    for (const auto& [range, value] : timeouts) {
        if (value.count() < range.min || value.count() > range.max)
            return member_error(std::string("network.") + range.name,
                                "expected from " + std::to_string(range.min) + " to " +
                                    std::to_string(range.max) + " seconds");
    }
    BlockingPolicy empty;
    empty.business_zone = s.business_zone;
    auto engine = ImportEngine::create(empty);
    if (!engine.ok()) {
        Error e = engine.error();
        e.message = member_message("zone", e.message);
        return e;
    }
    if (options.store_business_settings) {
        auto stored = sync::store_business_settings(*options.store, options.settings);
        if (!stored.ok())
            return stored.error();
    }
    auto state = std::make_unique<State>(std::move(options), std::move(engine).value());
    auto migrated = migrate_sealed_values(*state);
    if (!migrated.ok())
        return migrated.error();
    // The store must be readable; its events are expanded only when something needs them.
    auto readable = state->blocking_policy(state->window());
    if (!readable.ok())
        return readable.error();
    return std::unique_ptr<SyncService>(new SyncService(std::move(state)));
}

SyncService::SyncService(std::unique_ptr<State> state) : s_(std::move(state)) {}

SyncService::~SyncService() {
    // Reads confirm_free left running stop at their next progress callback (about a second)
    // or retry wait, instead of at their timeout.
    s_->cancel->cancel();
    s_->pool.reset();  // syncs still running stop at their next request, as reads do
    std::map<std::string, ConfirmRead> reads;
    {
        std::lock_guard<std::mutex> lock(s_->reads_mutex);
        reads.swap(s_->reads);
    }
    for (auto& [id, read] : reads)
        read.thread.join();
}

Result<SyncReport> SyncService::sync(const std::string& connection_id) {
    return sync::sync_connection(*s_, connection_id, true);
}

namespace {

// The due syncs of one run_due call, as the pool's threads fill them in.
struct DueBatch {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::string> ids;
    std::vector<std::optional<SyncReport>> reports;
    std::vector<char> started;
    std::size_t left = 0;
    bool abandoned = false;  // the caller stopped waiting: what has not started, does not
};

SyncReport report_of(const std::string& connection_id, Result<SyncReport> r) {
    if (r.ok())
        return std::move(r).value();
    SyncReport failed;
    failed.connection_id = connection_id;
    failed.status.state = sync::state_for(r.error());
    failed.status.last_error = r.error().message;
    return failed;
}

// Runs one sync of a batch on a pool thread, unless its caller gave up before it began.
void run_batch_item(SyncService::State& s, DueBatch& batch, std::size_t i) {
    const std::string& id = batch.ids[i];
    {
        std::lock_guard<std::mutex> lock(batch.mutex);
        if (batch.abandoned)
            return;  // no longer in flight: run_due took it out when it gave up
        batch.started[i] = 1;
    }
    SyncReport report = report_of(id, sync::sync_connection(s, id, true));
    {
        std::lock_guard<std::mutex> lock(s.in_flight_mutex);
        s.in_flight.erase(id);
    }
    s.in_flight_done.notify_all();
    std::lock_guard<std::mutex> lock(batch.mutex);
    batch.reports[i] = std::move(report);
    --batch.left;
    batch.done.notify_all();
}

}  // namespace

std::vector<SyncReport> SyncService::run_due() {
    return run_due(std::chrono::milliseconds(0)).reports;
}

SyncService::RunDueResult SyncService::run_due(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    const bool bounded = wait.count() > 0;
    RunDueResult result;
    auto stored = s_->store->list_connections();
    auto statuses = s_->store->list_connection_statuses();
    if (!stored.ok() || !statuses.ok()) {
        s_->log(LogLevel::error,
                "could not read which connections are due: the store cannot be read");
        return result;
    }
    const Instant now = s_->now();
    auto batch = std::make_shared<DueBatch>();
    std::vector<std::string> earlier;  // due, and still syncing from an earlier call
    {
        std::lock_guard<std::mutex> lock(s_->in_flight_mutex);
        for (const ConnectionRecord& c : stored.value()) {
            if (c.state != ConnectionState::active)
                continue;
            auto it = statuses->find(c.id);
            const bool due =
                it == statuses->end() ||
                (it->second.next_due ? *it->second.next_due <= now
                                     : it->second.state != SyncState::needs_reauthorisation);
            if (!due)
                continue;
            if (s_->in_flight.insert(c.id).second)
                batch->ids.push_back(c.id);
            else
                earlier.push_back(c.id);
        }
    }
    batch->reports.resize(batch->ids.size());
    batch->started.resize(batch->ids.size());
    batch->left = batch->ids.size();
    State& s = *s_;
    for (std::size_t i = 0; i < batch->ids.size(); ++i)
        s_->pool->submit([&s, batch, i] { run_batch_item(s, *batch, i); });
    {
        std::unique_lock<std::mutex> lock(batch->mutex);
        const auto all_done = [&] { return batch->left == 0; };
        if (bounded)
            batch->done.wait_until(lock, deadline, all_done);
        else
            batch->done.wait(lock, all_done);
        batch->abandoned = true;
        std::lock_guard<std::mutex> flight(s_->in_flight_mutex);
        for (std::size_t i = 0; i < batch->ids.size(); ++i) {
            if (batch->reports[i]) {
                result.reports.push_back(std::move(*batch->reports[i]));
                continue;
            }
            result.unfinished.push_back(batch->ids[i]);
            if (!batch->started[i])
                s_->in_flight.erase(batch->ids[i]);  // due still, for the next call
        }
    }
    // The syncs an earlier call left running are waited for within the same time.
    std::unique_lock<std::mutex> flight(s_->in_flight_mutex);
    const auto landed = [&] {
        return std::none_of(earlier.begin(), earlier.end(),
                            [&](const std::string& id) { return s_->in_flight.count(id) != 0; });
    };
    if (bounded)
        s_->in_flight_done.wait_until(flight, deadline, landed);
    else
        s_->in_flight_done.wait(flight, landed);
    for (const std::string& id : earlier)
        if (s_->in_flight.count(id) != 0)
            result.unfinished.push_back(id);
    std::sort(result.unfinished.begin(), result.unfinished.end());
    return result;
}

Result<std::optional<Instant>> SyncService::next_due(const std::string& connection_id) {
    auto connection = s_->store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    if (connection->state != ConnectionState::active)
        return std::optional<Instant>();
    auto stored = s_->store->get_connection_status(connection_id);
    if (!stored.ok())
        return stored.error();
    if (stored->next_due)
        return stored->next_due;
    if (stored->state == SyncState::needs_reauthorisation)
        return std::optional<Instant>();
    return std::optional<Instant>(s_->now());
}

Result<void> SyncService::request_sync(const std::string& connection_id) {
    auto connection = s_->store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    return s_->mark_due_now(connection_id);
}

namespace {

// Every active connection with a selected calendar of the given kind of direction.
std::vector<std::string> connections_with(StateStore& store, bool want_exports) {
    std::vector<std::string> out;
    auto connections = store.list_connections();
    if (!connections.ok())
        return out;
    for (const ConnectionRecord& c : connections.value()) {
        if (c.state != ConnectionState::active)
            continue;
        auto calendars = store.list_calendars(c.id);
        if (!calendars.ok())
            continue;
        const bool any = std::any_of(
            calendars->begin(), calendars->end(), [want_exports](const CalendarRecord& cal) {
                return cal.selected &&
                       (want_exports ? exports(cal.direction) : imports(cal.direction));
            });
        if (any)
            out.push_back(c.id);
    }
    return out;
}

}  // namespace

Result<void> SyncService::upsert_appointment(const Appointment& appointment) {
    if (appointment.id.empty())
        return member_error("id", "missing");
    if (appointment.time.end <= appointment.time.start)
        return make_error(ErrorCode::invalid_argument,
                          "appointment " + appointment.id + ": end must be after start");
    auto put = s_->store->put_appointment(appointment, s_->now());
    if (!put.ok())
        return put.error();
    for (const std::string& id : connections_with(*s_->store, true))
        (void)s_->mark_due_now(id);
    return {};
}

Result<void> SyncService::cancel_appointment(const std::string& appointment_id) {
    auto record = s_->store->get_appointment(appointment_id);
    if (!record.ok())
        return record.error();
    Appointment a = record->appointment;
    a.status = AppointmentStatus::cancelled;
    return upsert_appointment(a);
}

Result<std::vector<AppointmentRecord>> SyncService::appointments() {
    return s_->store->list_appointments();
}

namespace {

// Builds the engine before a query; when the store cannot be read the queries answer as if
// everything were busy (never a double booking), and the failure is logged.
bool answerable(SyncService::State& s) {
    auto ready = s.engine_ready();
    if (!ready.ok())
        s.log(LogLevel::error, "blocked slots unknown: " + ready.error().message);
    return ready.ok();
}

// The kept slots overlapping `range` (SyncServiceOptions::slots_from_store), named and
// ordered as the engine's ("<connection>/<calendar>"); nullopt, logged, when the store
// cannot be read (the callers then answer as when answerable() fails).
std::optional<std::vector<BlockedSlot>> kept_slots(SyncService::State& s, const TimeRange& range) {
    auto kept = s.store->list_blocked_slots(range);
    if (!kept.ok()) {
        s.log(LogLevel::error, "blocked slots unknown: " + kept.error().message);
        return std::nullopt;
    }
    std::vector<BlockedSlot> slots;
    slots.reserve(kept->size());
    for (StoredSlot& k : kept.value()) {
        k.slot.calendar_id = slot_calendar_key(k.connection_id, k.slot.calendar_id);
        slots.push_back(std::move(k.slot));
    }
    std::sort(slots.begin(), slots.end());
    return slots;
}

// The kept slots' busy time over `range`, merged as the engine's.
std::optional<AvailabilityIndex> kept_availability(SyncService::State& s, const TimeRange& range) {
    auto slots = kept_slots(s, range);
    if (!slots)
        return std::nullopt;
    std::vector<TimeRange> busy(slots->size());
    std::transform(slots->begin(), slots->end(), busy.begin(),
                   [](const BlockedSlot& slot) { return slot.range; });
    return AvailabilityIndex(std::move(busy));
}

}  // namespace

std::vector<BlockedSlot> SyncService::blocked_slots(const TimeRange& range) const {
    if (s_->options.slots_from_store) {
        auto kept = kept_slots(*s_, range);
        return kept ? std::move(*kept) : std::vector<BlockedSlot>{};
    }
    if (!answerable(*s_))
        return {};
    std::lock_guard<std::mutex> lock(s_->engine_mutex);
    std::vector<BlockedSlot> out;
    for (BlockedSlot& slot : s_->engine.slots()) {
        if (slot.range.start < range.end && range.start < slot.range.end)
            out.push_back(std::move(slot));
    }
    return out;
}

std::vector<TimeRange> SyncService::busy(const TimeRange& range) const {
    // Merged busy intervals, cut to `range`.
    const auto within = [&range](const std::vector<TimeRange>& merged) {
        std::vector<TimeRange> out;
        for (const TimeRange& b : merged) {
            if (b.start < range.end && range.start < b.end)
                out.push_back({std::max(b.start, range.start), std::min(b.end, range.end)});
        }
        return out;
    };
    if (s_->options.slots_from_store) {
        auto kept = kept_availability(*s_, range);
        return kept ? within(kept->busy()) : std::vector<TimeRange>{range};
    }
    if (!answerable(*s_))
        return {range};
    std::lock_guard<std::mutex> lock(s_->engine_mutex);
    return within(s_->engine.busy());
}

namespace {

const AvailabilityIndex& index_of(SyncService::State& s) {
    if (!s.availability)
        s.availability.emplace(s.engine.busy());
    return *s.availability;
}

}  // namespace

bool SyncService::is_free(const TimeRange& range) const {
    if (s_->options.slots_from_store) {
        auto kept = kept_availability(*s_, range);
        return kept && kept->is_free(range);
    }
    if (!answerable(*s_))
        return false;
    std::lock_guard<std::mutex> lock(s_->engine_mutex);
    return index_of(*s_).is_free(range);
}

Result<std::vector<TimeRange>> SyncService::free_slots(const TimeRange& within,
                                                       std::chrono::seconds duration,
                                                       std::chrono::seconds step) const {
    if (s_->options.slots_from_store) {
        auto kept = kept_availability(*s_, within);
        if (!kept)
            return std::vector<TimeRange>{};
        return bounded_free_slots(*kept, within, duration, step);
    }
    if (!answerable(*s_))
        return std::vector<TimeRange>{};
    std::lock_guard<std::mutex> lock(s_->engine_mutex);
    return bounded_free_slots(index_of(*s_), within, duration, step);
}

namespace {

// The read of `connection_id` confirm_free waits on: the one in flight, or a new one on a
// thread of its own. A read that outlives its callers' timeouts goes on and lands like any
// sync; the next confirm_free of the connection joins its thread, or the destructor does.
std::shared_future<Result<SyncReport>> confirm_read(SyncService::State& s,
                                                    const std::string& connection_id) {
    std::lock_guard<std::mutex> lock(s.reads_mutex);
    auto it = s.reads.find(connection_id);
    if (it != s.reads.end()) {
        if (it->second.result.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            return it->second.result;
        it->second.thread.join();  // it ends right after handing over its result
        s.reads.erase(it);
    }
    std::promise<Result<SyncReport>> promise;
    std::shared_future<Result<SyncReport>> result = promise.get_future().share();
    std::thread thread([&s, connection_id, promise = std::move(promise)]() mutable {
        try {
            promise.set_value(sync::sync_connection(s, connection_id, false));
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
    });
    s.reads.emplace(connection_id, ConfirmRead{std::move(thread), result});
    return result;
}

}  // namespace

FreeAnswer SyncService::confirm_free(const TimeRange& range, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::vector<std::string> ids = connections_with(*s_->store, false);
    std::vector<std::shared_future<Result<SyncReport>>> reads(ids.size());
    std::transform(ids.begin(), ids.end(), reads.begin(),
                   [this](const std::string& id) { return confirm_read(*s_, id); });
    FreeAnswer answer;
    answer.fresh = true;
    for (std::size_t i = 0; i < reads.size(); ++i) {
        if (reads[i].wait_until(deadline) != std::future_status::ready) {
            answer.fresh = false;
            answer.stale_connections.push_back(ids[i]);
            continue;
        }
        const Result<SyncReport>& report = reads[i].get();
        if (!report.ok() || report->status.state != SyncState::ok) {
            answer.fresh = false;
            answer.stale_connections.push_back(ids[i]);
        }
    }
    answer.conflicts = blocked_slots(range);
    answer.free = is_free(range);
    return answer;
}

Result<SyncStatus> SyncService::status(const std::string& connection_id) {
    auto connection = s_->store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    return s_->store->get_connection_status(connection_id);
}

Result<std::map<std::string, SyncStatus>> SyncService::calendar_statuses(
    const std::string& connection_id) {
    return s_->store->list_calendar_statuses(connection_id);
}

Result<std::string> SyncService::team_feed(const std::string& connection_id,
                                           const TeamFeedOptions& options) {
    auto records = s_->store->list_appointments();
    if (!records.ok())
        return records.error();
    std::vector<Appointment> chosen;
    TeamFeedOptions o = options;
    for (const AppointmentRecord& r : records.value()) {
        if (!connection_id.empty()) {
            auto where = s_->store->list_appointment_exports(r.appointment.id);
            if (!where.ok())
                return where.error();
            const bool there = std::any_of(
                where->begin(), where->end(),
                [&](const ExportRecord& e) { return e.key.connection_id == connection_id; });
            if (!there)
                continue;
        }
        chosen.push_back(r.appointment);
        o.revisions.try_emplace(r.appointment.id,
                                FeedRevision{static_cast<std::uint32_t>(r.revision), r.updated_at});
    }
    // One UID per appointment everywhere: the feed's must be the exports' own.
    o.render.uid_domain = s_->options.settings.export_policy.render.uid_domain;
    return write_team_feed(chosen, o, s_->now());
}

}  // namespace calsync
