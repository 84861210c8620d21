// Google Benchmark programs for the import engine and the availability index.
//
// The calendars are generated at build time by gen_big_calendar.py; their paths come in as
// compile definitions and can be overridden with CALSYNC_BENCH_ICS (the 10,000-event file)
// and CALSYNC_BENCH_ICS_SMALL (the small one).
//
// `bench_engine --count FILE` skips the benchmarks and prints what one full pass finds,
// in the same form as baseline_libical, for the cross-check test.
#include <benchmark/benchmark.h>
#include <libical/ical.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"
#include "calsync/ical.hpp"
#include "calsync/recurrence.hpp"
#include "calsync/zone.hpp"

namespace {

using calsync::BlockingPolicy;
using calsync::Event;
using calsync::ImportEngine;
using calsync::TimeRange;

constexpr const char* kCalendarId = "bench";

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : fallback;
}

const std::string& big_path() {
    static const std::string path = env_or("CALSYNC_BENCH_ICS", CALSYNC_BENCH_ICS_10K);
    return path;
}

const std::string& small_path() {
    static const std::string path = env_or("CALSYNC_BENCH_ICS_SMALL", CALSYNC_BENCH_ICS_SMALL);
    return path;
}

// File text is read once per process: the benchmarks time the work on text in memory,
// as a sync run has it after the HTTP body arrives.
const std::string& file_text(const std::string& path) {
    static std::map<std::string, std::string> cache;
    auto found = cache.find(path);
    if (found != cache.end())
        return found->second;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path +
                                 " (build the calsync_bench_calendars target first)");
    std::ostringstream text;
    text << in.rdbuf();
    return cache.emplace(path, text.str()).first->second;
}

// The business in Berlin, one year ahead: the same window and zone as baseline_libical.
// The generated calendar has some 100,000 blocking occurrences in the year, twice the
// occurrence limit of one calendar (OccurrenceLimits): lifted, so that both programs
// expand the same occurrences.
BlockingPolicy bench_policy() {
    BlockingPolicy policy;
    policy.limits.per_calendar = 1'000'000;
    policy.limits.per_calendar_work = 10'000'000;
    policy.business_zone = "Europe/Berlin";
    policy.window = TimeRange{calsync::instant_from_unix(1767225600),   // 2026-01-01T00:00Z
                              calsync::instant_from_unix(1798761600)};  // 2027-01-01T00:00Z
    return policy;
}

calsync::IcsCalendar read_calendar(const std::string& text) {
    calsync::IcsReadOptions options;
    options.calendar_id = kCalendarId;
    auto calendar = calsync::read_ics(text, options);
    if (!calendar.ok())
        throw std::runtime_error("read_ics: " + calendar.error().message);
    return std::move(calendar).value();
}

ImportEngine make_engine() {
    auto engine = ImportEngine::create(bench_policy());
    if (!engine.ok())
        throw std::runtime_error("ImportEngine::create: " + engine.error().message);
    return std::move(engine).value();
}

struct PassResult {
    std::size_t occurrences = 0;
    std::size_t merged = 0;
    std::size_t errors = 0;
};

// What a sync of one ICS feed does: text -> events -> slots -> merged busy time.
PassResult full_pass(const std::string& text) {
    calsync::IcsCalendar calendar = read_calendar(text);
    ImportEngine engine = make_engine();
    engine.set_calendar_label(kCalendarId, calendar.name);
    engine.load(calendar.events);
    const std::vector<TimeRange> busy = engine.busy();
    PassResult r;
    r.occurrences = engine.slot_count();
    r.merged = busy.size();
    r.errors = calendar.errors.size() + engine.errors().size();
    return r;
}

void report(benchmark::State& state, const PassResult& r) {
    state.counters["occurrences"] = static_cast<double>(r.occurrences);
    state.counters["merged"] = static_cast<double>(r.merged);
    state.counters["errors"] = static_cast<double>(r.errors);
}

// Google Benchmark exits 0 after a skipped benchmark; the smoke test must not pass then.
bool g_failed = false;

template <class Body>
void guarded(benchmark::State& state, Body body) {
    try {
        body();
    } catch (const std::exception& e) {
        g_failed = true;
        state.SkipWithError(e.what());
    }
}

void run_full_pass(benchmark::State& state, const std::string& path) {
    guarded(state, [&] {
        const std::string& text = file_text(path);
        PassResult r;
        for (auto _ : state) {
            r = full_pass(text);
            benchmark::DoNotOptimize(r);
        }
        report(state, r);
    });
}

void BM_FullPass10k(benchmark::State& state) {
    run_full_pass(state, big_path());
}
BENCHMARK(BM_FullPass10k)->Unit(benchmark::kMillisecond)->UseRealTime();

// The small calendar of the cross-check; the CI smoke test runs this one.
void BM_FullPassSmall(benchmark::State& state) {
    run_full_pass(state, small_path());
}
BENCHMARK(BM_FullPassSmall)->Unit(benchmark::kMillisecond)->UseRealTime();

// The split of the full pass, to see where its time goes.

// libical's parser alone (parse and free the tree): the floor under read_ics.
void BM_LibicalParse10k(benchmark::State& state) {
    guarded(state, [&] {
        const std::string& text = file_text(big_path());
        for (auto _ : state) {
            icalcomponent* root = icalparser_parse_string(text.c_str());
            benchmark::DoNotOptimize(root);
            icalcomponent_free(root);
        }
    });
}
BENCHMARK(BM_LibicalParse10k)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadIcs10k(benchmark::State& state) {
    guarded(state, [&] {
        const std::string& text = file_text(big_path());
        std::size_t events = 0;
        for (auto _ : state) {
            calsync::IcsCalendar calendar = read_calendar(text);
            events = calendar.events.size();
            benchmark::DoNotOptimize(calendar);
        }
        state.counters["events"] = static_cast<double>(events);
    });
}
BENCHMARK(BM_ReadIcs10k)->Unit(benchmark::kMillisecond)->UseRealTime();

// expand_event over every event, with no engine around it.
void BM_Expand10k(benchmark::State& state) {
    guarded(state, [&] {
        const calsync::IcsCalendar calendar = read_calendar(file_text(big_path()));
        auto zone = calsync::find_iana_zone("Europe/Berlin");
        if (!zone.ok())
            throw std::runtime_error(zone.error().message);
        calsync::ExpansionWindow window;
        window.business_zone = zone.value().get();
        window.window = bench_policy().window;
        std::size_t occurrences = 0;
        for (auto _ : state) {
            occurrences = 0;
            for (const Event& e : calendar.events) {
                auto expanded = calsync::expand_event(e, window);
                if (expanded.ok())
                    occurrences += expanded.value().size();
            }
            benchmark::DoNotOptimize(occurrences);
        }
        state.counters["occurrences"] = static_cast<double>(occurrences);
    });
}
BENCHMARK(BM_Expand10k)->Unit(benchmark::kMillisecond)->UseRealTime();

// Engine creation + load + busy(), on events already read.
void BM_Load10k(benchmark::State& state) {
    guarded(state, [&] {
        const calsync::IcsCalendar calendar = read_calendar(file_text(big_path()));
        PassResult r;
        for (auto _ : state) {
            ImportEngine engine = make_engine();
            engine.set_calendar_label(kCalendarId, calendar.name);
            engine.load(calendar.events);
            const std::vector<TimeRange> busy = engine.busy();
            r.occurrences = engine.slot_count();
            r.merged = busy.size();
            benchmark::DoNotOptimize(r);
        }
        report(state, r);
    });
}
BENCHMARK(BM_Load10k)->Unit(benchmark::kMillisecond)->UseRealTime();

// Two versions of one event: the original and the same series an hour later, so every
// upsert moves each of its instances.
std::pair<Event, Event> two_versions(const Event& original) {
    Event later = original;
    later.start.local.hour += 1;
    if (later.end)
        later.end->local.hour += 1;
    return {original, later};
}

enum class Pick { largest_series, median_series, single_event };

// Events whose start can move an hour later on the same day, with their slot counts.
std::vector<std::pair<std::size_t, const Event*>> movable(const std::vector<Event>& events,
                                                          const ImportEngine& engine,
                                                          bool recurring) {
    auto zone = calsync::find_iana_zone("Europe/Berlin");
    calsync::ExpansionWindow window;
    window.business_zone = zone.ok() ? zone.value().get() : nullptr;
    window.window = engine.policy().window;
    std::vector<std::pair<std::size_t, const Event*>> found;
    for (const Event& e : events) {
        if (e.is_recurring() != recurring || e.start.is_date() || e.start.local.hour > 21 ||
            (e.end && (e.end->is_date() || e.end->local.hour > 21)))
            continue;
        auto expanded = calsync::expand_event(e, window);
        if (expanded.ok() && !expanded.value().empty())
            found.emplace_back(expanded.value().size(), &e);
    }
    // Stable, so ties keep file order and every run picks the same event.
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return found;
}

// largest_series: the recurring event with the most slots in the window, the costliest
// single change; median_series: a typical series; single_event: a one-off appointment.
const Event* pick_event(const std::vector<Event>& events, const ImportEngine& engine, Pick pick) {
    const auto found = movable(events, engine, pick != Pick::single_event);
    if (found.empty())
        return nullptr;
    switch (pick) {
        case Pick::largest_series:
            return found.back().second;
        case Pick::median_series:
            return found[found.size() / 2].second;
        case Pick::single_event:
            return found.front().second;
    }
    return nullptr;
}

void BM_OneEventUpdate(benchmark::State& state, Pick pick) {
    guarded(state, [&] {
        const calsync::IcsCalendar calendar = read_calendar(file_text(big_path()));
        ImportEngine engine = make_engine();
        engine.set_calendar_label(kCalendarId, calendar.name);
        engine.load(calendar.events);
        const Event* event = pick_event(calendar.events, engine, pick);
        if (event == nullptr)
            throw std::runtime_error("no event to change in the calendar");
        const auto versions = two_versions(*event);
        std::size_t added = 0;
        std::size_t removed = 0;
        bool later = true;
        for (auto _ : state) {
            // Alternating keeps every iteration a real change (moved there, then back).
            const calsync::SlotDiff diff = engine.upsert(later ? versions.second : versions.first);
            later = !later;
            added = diff.added.size();
            removed = diff.removed.size();
            benchmark::DoNotOptimize(diff);
        }
        state.counters["slots_added"] = static_cast<double>(added);
        state.counters["slots_removed"] = static_cast<double>(removed);
        state.counters["engine_slots"] = static_cast<double>(engine.slot_count());
        state.SetLabel(event->id + (event->is_recurring() ? " " + event->recurrence.rrules.front()
                                                          : std::string()));
    });
}
BENCHMARK_CAPTURE(BM_OneEventUpdate, largest_series, Pick::largest_series)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_OneEventUpdate, median_series, Pick::median_series)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_OneEventUpdate, single_event, Pick::single_event)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The expansion part of BM_OneEventUpdate/largest_series alone: what is left is the
// engine's own work.
void BM_ExpandOneSeries(benchmark::State& state) {
    guarded(state, [&] {
        const calsync::IcsCalendar calendar = read_calendar(file_text(big_path()));
        const ImportEngine engine = make_engine();
        const Event* series = pick_event(calendar.events, engine, Pick::largest_series);
        if (series == nullptr)
            throw std::runtime_error("no recurring event to expand in the calendar");
        auto zone = calsync::find_iana_zone("Europe/Berlin");
        calsync::ExpansionWindow window;
        window.business_zone = zone.value().get();
        window.window = engine.policy().window;
        std::size_t occurrences = 0;
        for (auto _ : state) {
            auto expanded = calsync::expand_event(*series, window);
            occurrences = expanded.ok() ? expanded.value().size() : 0;
            benchmark::DoNotOptimize(expanded);
        }
        state.counters["occurrences"] = static_cast<double>(occurrences);
        state.SetLabel(series->id + " " + series->recurrence.rrules.front());
    });
}
BENCHMARK(BM_ExpandOneSeries)->Unit(benchmark::kMicrosecond)->UseRealTime();

constexpr std::size_t kIntervals = 100000;
constexpr std::size_t kQueries = 1000000;

struct IsFreeData {
    calsync::AvailabilityIndex index;
    std::vector<TimeRange> queries;
};

// 100,000 disjoint busy intervals of 1 to 120 minutes, 1 to 120 minutes apart (about two
// years of dense bookings), and 1,000,000 queries of 5 to 120 minutes anywhere over them.
const IsFreeData& is_free_data() {
    static const IsFreeData data = [] {
        std::mt19937_64 rng(20260101);
        std::uniform_int_distribution<std::int64_t> minutes(1, 120);
        std::vector<TimeRange> busy;
        busy.reserve(kIntervals);
        std::int64_t t = 1767225600;
        for (std::size_t i = 0; i < kIntervals; ++i) {
            t += 60 * minutes(rng);
            const std::int64_t end = t + 60 * minutes(rng);
            busy.push_back({calsync::instant_from_unix(t), calsync::instant_from_unix(end)});
            t = end;
        }
        std::shuffle(busy.begin(), busy.end(), rng);
        IsFreeData d;
        d.index = calsync::AvailabilityIndex(std::move(busy));
        std::uniform_int_distribution<std::int64_t> start(1767225600 - 86400, t + 86400);
        std::uniform_int_distribution<std::int64_t> length(5, 120);
        d.queries.reserve(kQueries);
        for (std::size_t i = 0; i < kQueries; ++i) {
            const std::int64_t s = start(rng);
            d.queries.push_back(
                {calsync::instant_from_unix(s), calsync::instant_from_unix(s + 60 * length(rng))});
        }
        return d;
    }();
    return data;
}

void BM_IsFree1M(benchmark::State& state) {
    const IsFreeData& data = is_free_data();
    std::size_t free = 0;
    for (auto _ : state) {
        free = 0;
        for (const TimeRange& q : data.queries)
            free += data.index.is_free(q) ? 1 : 0;
        benchmark::DoNotOptimize(free);
    }
    state.counters["intervals"] = static_cast<double>(data.index.busy().size());
    state.counters["free_ratio"] = static_cast<double>(free) / static_cast<double>(kQueries);
    state.counters["queries/s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * kQueries, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IsFree1M)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same sum baseline_libical prints: equal counts with different times would not pass.
std::uint64_t occurrence_checksum(const std::vector<calsync::BlockedSlot>& slots) {
    std::uint64_t sum = 0;
    for (const calsync::BlockedSlot& s : slots)
        sum += static_cast<std::uint64_t>(calsync::to_unix(s.range.start)) +
               3 * static_cast<std::uint64_t>(calsync::to_unix(s.range.end));
    return sum;
}

int count_mode(const char* path) {
    try {
        const calsync::IcsCalendar calendar = read_calendar(file_text(path));
        ImportEngine engine = make_engine();
        engine.load(calendar.events);
        std::printf("occurrences=%zu merged=%zu checksum=%llu errors=%zu\n", engine.slot_count(),
                    engine.busy().size(),
                    static_cast<unsigned long long>(occurrence_checksum(engine.slots())),
                    calendar.errors.size() + engine.errors().size());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--count")
        return count_mode(argv[2]);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    const std::size_t ran = benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (ran == 0) {
        std::fprintf(stderr, "no benchmark matched the filter\n");
        return 1;
    }
    return g_failed ? 1 : 0;
}
