// Google Benchmark programs for the state store: what a sync pays to keep a 10,000-event
// calendar in SQLite. The database lives in a fresh directory under $TMPDIR (or /tmp); put
// TMPDIR on the disk you care about, since every commit syncs the WAL (synchronous=FULL).
// Built with the PostgreSQL store, it also measures a change set's and a slot write's
// statements on a private PostgreSQL server it starts (tests/store/pg_server.sh, fsync
// off: statements and round trips, not the disk).
//
//   bench_store --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "calsync/store.hpp"
#include "random_events.hpp"
#include "temp_dir.hpp"
#ifdef CALSYNC_BENCH_POSTGRES
#include "pg_test_server.hpp"
#endif

namespace {

constexpr int kEvents = 10000;

std::vector<calsync::Event> calendar_events(std::uint32_t seed, const std::string& tag) {
    calsync::test::EventFactory factory(seed);
    std::vector<calsync::Event> events;
    events.reserve(kEvents);
    for (int i = 0; i < kEvents; ++i) {
        calsync::Event e = factory.make("cal", "event-" + std::to_string(i));
        e.uid = e.id + "@example.com";
        e.summary = "Busy " + tag;
        e.etag = "\"" + tag + std::to_string(i) + "\"";
        events.push_back(std::move(e));
    }
    return events;
}

// A store in its own temporary directory, with one connection and one calendar.
class BenchStore {
  public:
    explicit BenchStore(bool sync_every_commit) {
        calsync::SqliteStoreOptions options;
        options.sync_every_commit = sync_every_commit;
        seed(calsync::open_sqlite_store(dir_.file("bench.db"), options));
    }
    explicit BenchStore(calsync::Result<std::unique_ptr<calsync::StateStore>> opened) {
        seed(std::move(opened));
    }
    ~BenchStore() { store_.reset(); }  // closed before its directory goes
    calsync::StateStore& operator*() { return *store_; }

    static void check(const calsync::Result<void>& r) {
        if (!r.ok())
            throw std::runtime_error(r.error().message);
    }
    calsync::AppliedChanges apply(const calsync::ChangeSet& c) {
        auto r = store_->apply_changes("c", "cal", c);
        if (!r.ok())
            throw std::runtime_error(r.error().message);
        return std::move(r).value();
    }

  private:
    void seed(calsync::Result<std::unique_ptr<calsync::StateStore>> opened) {
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        store_ = std::move(opened).value();
        calsync::ConnectionRecord c;
        c.id = "c";
        check(store_->put_connection(c));
        calsync::CalendarRecord cal;
        cal.connection_id = "c";
        cal.calendar.id = "cal";
        check(store_->put_calendar(cal));
    }

    calsync::test::TempDir dir_;
    std::unique_ptr<calsync::StateStore> store_;
};

calsync::ChangeSet full_resync(std::vector<calsync::Event> events, const std::string& cursor) {
    calsync::ChangeSet c;
    c.upserts = std::move(events);
    c.full_resync = true;
    c.next_cursor = cursor;
    return c;
}

// A full resync where every event differs from what is held (two versions alternate).
void BM_SqliteFullResync10kChanged(benchmark::State& state) {
    BenchStore store(true);
    const calsync::ChangeSet versions[] = {full_resync(calendar_events(1, "a"), "a"),
                                           full_resync(calendar_events(1, "b"), "b")};
    store.apply(versions[1]);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto applied = store.apply(versions[i++ % 2]);
        if (applied.upserted.size() != kEvents)
            state.SkipWithError("not every event changed");
    }
    state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_SqliteFullResync10kChanged)->Unit(benchmark::kMillisecond);

// A full resync that finds the calendar as it was (the usual periodic reconciliation).
void BM_SqliteFullResync10kUnchanged(benchmark::State& state) {
    BenchStore store(true);
    const calsync::ChangeSet same = full_resync(calendar_events(1, "a"), "a");
    store.apply(same);
    for (auto _ : state) {
        const auto applied = store.apply(same);
        if (applied.any())
            state.SkipWithError("something changed");
    }
    state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_SqliteFullResync10kUnchanged)->Unit(benchmark::kMillisecond);

// One changed event on top of 10,000 held: the common incremental sync. Arg: 1 for
// synchronous=FULL (the default), 0 for NORMAL, to show what the WAL sync costs.
void BM_SqliteIncrementalOneEvent(benchmark::State& state) {
    BenchStore store(state.range(0) == 1);
    store.apply(full_resync(calendar_events(1, "a"), "a"));
    calsync::ChangeSet one;
    one.upserts = {calendar_events(2, "x").front()};
    std::int64_t n = 0;
    for (auto _ : state) {
        one.upserts[0].summary = "changed " + std::to_string(++n);
        one.next_cursor = "k" + std::to_string(n);
        if (store.apply(one).upserted.size() != 1)
            state.SkipWithError("the event did not change");
    }
}
BENCHMARK(BM_SqliteIncrementalOneEvent)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// Reading back every cached event of a 10,000-event calendar (a restart, a new engine).
void BM_SqliteLoad10k(benchmark::State& state) {
    BenchStore store(true);
    store.apply(full_resync(calendar_events(1, "a"), "a"));
    for (auto _ : state) {
        auto events = (*store).load_events("c", "cal");
        if (!events.ok() || events->size() != kEvents)
            state.SkipWithError("load failed");
        benchmark::DoNotOptimize(events);
    }
    state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_SqliteLoad10k)->Unit(benchmark::kMillisecond);

// A booking page's read of one week of kept slots (StateStore::list_blocked_slots) from a
// calendar holding a year of them: 20,000 one-hour slots, about 55 a day, and one
// fortnight away. Arg: how many days after the first slot the week starts. The read costs
// the week's slots whatever the day: the index range starts at the week's start minus the
// business's longest slot (14 days), not at the first slot of the year.
void BM_SqliteBlockedSlotsWeek(benchmark::State& state) {
    BenchStore store(true);
    constexpr std::int64_t kStart = 1775000000;
    constexpr std::int64_t kDay = 86400;
    calsync::SlotChanges year;
    year.replace_all = true;
    for (int i = 0; i < 20000; ++i) {
        calsync::BlockedSlot slot;
        const std::int64_t start = kStart + (static_cast<std::int64_t>(i) * 365 * kDay / 20000);
        slot.range = {calsync::instant_from_unix(start), calsync::instant_from_unix(start + 3600)};
        slot.event_id = "event-" + std::to_string(i);
        slot.recurrence_id = slot.range.start;
        slot.label = "Workshop";
        year.slots.push_back(std::move(slot));
    }
    calsync::BlockedSlot away;
    away.range = {calsync::instant_from_unix(kStart),
                  calsync::instant_from_unix(kStart + 14 * kDay)};
    away.event_id = "away";
    year.slots.push_back(away);
    BenchStore::check((*store).apply_slot_changes("c", "cal", year));
    const std::int64_t from = kStart + state.range(0) * kDay;
    const calsync::TimeRange week{calsync::instant_from_unix(from),
                                  calsync::instant_from_unix(from + 7 * kDay)};
    std::size_t read = 0;
    for (auto _ : state) {
        auto slots = (*store).list_blocked_slots(week);
        if (!slots.ok() || slots->size() < 300)
            state.SkipWithError("the week's slots were not read");
        read = slots.ok() ? slots->size() : 0;
        benchmark::DoNotOptimize(slots);
    }
    state.counters["slots"] = static_cast<double>(read);
}
BENCHMARK(BM_SqliteBlockedSlotsWeek)->Arg(7)->Arg(300)->Unit(benchmark::kMicrosecond);

#ifdef CALSYNC_BENCH_POSTGRES
// A store of its own on the private server: a new schema each.
BenchStore postgres_store() {
    return BenchStore(
        calsync::open_postgres_store(calsync::test::PostgresTestServer::shared().new_database()));
}

// Arg events, every one changed, on top of 1,000 held: an incremental change set as a
// sync stores it (each event's stored form read to compare, then written).
void BM_PostgresIncrementalChanged(benchmark::State& state) {
    BenchStore store = postgres_store();
    const std::vector<calsync::Event> held = calendar_events(1, "a");
    store.apply(full_resync({held.begin(), held.begin() + 1000}, "a"));
    const auto changed = static_cast<std::size_t>(state.range(0));
    calsync::ChangeSet versions[2];
    for (int v = 0; v < 2; ++v) {
        const std::vector<calsync::Event> events = calendar_events(1, v == 0 ? "b" : "c");
        versions[v].upserts.assign(events.begin(), events.begin() + static_cast<long>(changed));
        versions[v].next_cursor = std::to_string(v);
    }
    std::size_t i = 0;
    for (auto _ : state) {
        if (store.apply(versions[i++ % 2]).upserted.size() != changed)
            state.SkipWithError("not every event changed");
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PostgresIncrementalChanged)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

// A calendar's blocked slots written whole: Arg slots (a first sync, a full resync).
void BM_PostgresSlotsWhole(benchmark::State& state) {
    BenchStore store = postgres_store();
    calsync::SlotChanges whole;
    whole.replace_all = true;
    for (int i = 0; i < state.range(0); ++i) {
        calsync::BlockedSlot slot;
        const std::int64_t start = 1775000000 + static_cast<std::int64_t>(i) * 3600;
        slot.range = {calsync::instant_from_unix(start), calsync::instant_from_unix(start + 1800)};
        slot.event_id = "event-" + std::to_string(i);
        slot.recurrence_id = slot.range.start;
        slot.label = "Workshop \"north\"";
        whole.slots.push_back(std::move(slot));
    }
    for (auto _ : state)
        BenchStore::check((*store).apply_slot_changes("c", "cal", whole));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PostgresSlotsWhole)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);
#endif

}  // namespace

BENCHMARK_MAIN();
