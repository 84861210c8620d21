// One client with K ICS-feed connections of 50 events each, through the C ABI, against
// tests/fakes/fault_server.py on 127.0.0.1 (issue 16, item 4): what a first run_due, a pass
// where every feed answers 304, selecting one more calendar, and one feed's full resync
// cost as K grows. Each should grow with what changed, not with K.
//
// Figures are process CPU time (the fake server is another process). By hand:
//   bench_client_feeds --benchmark_filter='/(100|500|2000)/'
// CI runs the K=10 cases once (bench/client_feeds_smoke).
#include <benchmark/benchmark.h>
#include <calsync.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const unsigned char kKey[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
constexpr int kEventsPerFeed = 50;

void check(calsync_status status, const char* what) {
    if (status != CALSYNC_OK)
        throw std::runtime_error(std::string(what) + ": " + calsync_last_error_message());
}

// The answer of `call`, which fills the char** it is given.
template <class Call>
std::string take(Call&& call, const char* what) {
    char* out = nullptr;
    check(call(&out), what);
    std::string text = out != nullptr ? out : "";
    calsync_string_free(out);
    return text;
}

// The fault server, started once for the whole run.
class FeedServer {
  public:
    FeedServer() {
        int out[2];
        if (pipe(out) != 0)
            throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            dup2(out[1], 1);
            close(out[0]);
            execl(CALSYNC_PYTHON, CALSYNC_PYTHON, CALSYNC_FAULT_SERVER,
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        if (f == nullptr || std::fscanf(f, "%d", &port_) != 1)
            throw std::runtime_error("the fault server did not start");
        std::fclose(f);
    }
    ~FeedServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/feed?file=" + path;
    }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

FeedServer& server() {
    static FeedServer s;
    return s;
}

// 50 hour-long events on the coming days; `variant` moves them, so a rewritten feed is a
// full resync with every event changed.
void write_feed(const fs::path& path, int feed, int variant) {
    std::ofstream f(path, std::ios::trunc);
    f << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync bench//EN\r\n";
    const std::time_t today = std::time(nullptr) / 86400 * 86400;
    for (int i = 0; i < kEventsPerFeed; ++i) {
        const std::time_t start = today + 86400 * (1 + i % 200) + 3600 * (8 + (i + variant) % 9);
        char stamp[2][20];
        for (int k = 0; k < 2; ++k) {
            const std::time_t t = start + k * 3600;
            std::strftime(stamp[k], sizeof stamp[k], "%Y%m%dT%H%M%SZ", std::gmtime(&t));
        }
        f << "BEGIN:VEVENT\r\nUID:feed" << feed << "-event" << i << "@bench\r\n"
          << "DTSTAMP:20260101T000000Z\r\nDTSTART:" << stamp[0] << "\r\nDTEND:" << stamp[1]
          << "\r\nSUMMARY:Event " << i << "\r\nEND:VEVENT\r\n";
    }
    f << "END:VCALENDAR\r\n";
}

// A client with K connected, selected feeds, synced once; built once per K and kept.
struct FeedClient {
    fs::path dir;
    calsync_client* client = nullptr;
    int feeds = 0;

    explicit FeedClient(int k) : feeds(k) {
        dir = fs::temp_directory_path() /
              ("calsync_bench_feeds_" + std::to_string(getpid()) + "_" + std::to_string(k));
        fs::create_directories(dir);
        calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
        const std::string store = (dir / "store.db").string();
        o.store_path = store.c_str();
        o.host_key = kKey;
        o.host_key_length = sizeof kKey;
        o.config_json = R"({"network": {"allow_private_addresses": true},
                            "schedule": {"full_read_seconds": 0}})";
        check(calsync_client_new(&o, &client), "calsync_client_new");
        for (int i = 0; i < k; ++i)
            add_feed(i);
    }
    ~FeedClient() {
        calsync_client_free(client);
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }

    fs::path feed_path(int i) const { return dir / ("feed" + std::to_string(i) + ".ics"); }
    std::string connection_id(int i) const { return "feed" + std::to_string(i); }

    void add_feed(int i) {
        write_feed(feed_path(i), i, 0);
        const std::string request = R"({"kind": "ics_feed", "connection_id": ")" +
                                    connection_id(i) + R"(", "settings": {"url": ")" +
                                    server().url(feed_path(i).string()) + R"("}})";
        calsync_connection* c = nullptr;
        check(calsync_client_connect(client, request.c_str(), &c), "calsync_client_connect");
        select_first(c);
        calsync_connection_free(c);
    }

    static void select_first(calsync_connection* c) {
        const std::string calendars =
            take([c](char** out) { return calsync_connection_calendars(c, out); },
                 "calsync_connection_calendars");
        rapidjson::Document doc;
        doc.Parse(calendars.c_str());
        if (doc.HasParseError() || !doc.HasMember("calendars") || doc["calendars"].Empty())
            throw std::runtime_error("no calendar listed: " + calendars);
        const std::string id = doc["calendars"][0]["id"].GetString();
        const std::string select = R"({"calendar_id": ")" + id + R"(", "direction": "import"})";
        check(calsync_connection_select(c, select.c_str()), "calsync_connection_select");
    }

    void run_due() {
        take([this](char** out) { return calsync_client_run_due(client, out); },
             "calsync_client_run_due");
    }

    void request_all() {
        for (int i = 0; i < feeds; ++i) {
            calsync_connection* c = nullptr;
            check(calsync_client_connection(client, connection_id(i).c_str(), &c),
                  "calsync_client_connection");
            check(calsync_connection_request_sync(c), "calsync_connection_request_sync");
            calsync_connection_free(c);
        }
    }

    void sync(int i) {
        calsync_connection* c = nullptr;
        check(calsync_client_connection(client, connection_id(i).c_str(), &c),
              "calsync_client_connection");
        take([c](char** out) { return calsync_connection_sync(c, out); },
             "calsync_connection_sync");
        calsync_connection_free(c);
    }
};

// Set up (connected, selected, synced once) on first use, kept for the other benchmarks.
FeedClient& synced_client(int k) {
    static std::map<int, std::unique_ptr<FeedClient>> clients;
    auto& c = clients[k];
    if (!c) {
        c = std::make_unique<FeedClient>(k);
        c->run_due();
    }
    return *c;
}

void BM_FirstRunDue(benchmark::State& state) {
    const int k = static_cast<int>(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        auto fresh = std::make_unique<FeedClient>(k);
        state.ResumeTiming();
        fresh->run_due();
        state.PauseTiming();
        fresh.reset();
        state.ResumeTiming();
    }
    state.counters["connections"] = k;
}

void BM_NotModifiedPass(benchmark::State& state) {
    FeedClient& c = synced_client(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        state.PauseTiming();
        c.request_all();
        state.ResumeTiming();
        c.run_due();
    }
}

void BM_SelectOneMore(benchmark::State& state) {
    FeedClient& c = synced_client(static_cast<int>(state.range(0)));
    int next = c.feeds + 1000;
    for (auto _ : state) {
        state.PauseTiming();
        const int i = next++;
        write_feed(c.feed_path(i), i, 0);
        const std::string request = R"({"kind": "ics_feed", "connection_id": ")" +
                                    c.connection_id(i) + R"(", "settings": {"url": ")" +
                                    server().url(c.feed_path(i).string()) + R"("}})";
        calsync_connection* k = nullptr;
        check(calsync_client_connect(c.client, request.c_str(), &k), "calsync_client_connect");
        state.ResumeTiming();
        FeedClient::select_first(k);
        state.PauseTiming();
        check(calsync_connection_disconnect(k, 0), "calsync_connection_disconnect");
        calsync_connection_free(k);
        state.ResumeTiming();
    }
}

void BM_OneFeedFullResync(benchmark::State& state) {
    FeedClient& c = synced_client(static_cast<int>(state.range(0)));
    int variant = 0;
    for (auto _ : state) {
        state.PauseTiming();
        write_feed(c.feed_path(0), 0, ++variant);
        state.ResumeTiming();
        c.sync(0);
    }
}

void feed_counts(benchmark::internal::Benchmark* b) {
    for (int k : {10, 100, 500, 2000})
        b->Arg(k);
    b->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_FirstRunDue)->Apply(feed_counts)->Iterations(1);
BENCHMARK(BM_NotModifiedPass)->Apply(feed_counts)->Iterations(3);
BENCHMARK(BM_SelectOneMore)->Apply(feed_counts)->Iterations(5);
BENCHMARK(BM_OneFeedFullResync)->Apply(feed_counts)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
