// CalDAV sync against a real server (Radicale or Xandikos) holding a big calendar: calsync's
// full and incremental sync next to the cheapest raw request sequence on the same server.
// The server is named by $CALSYNC_DAV_SERVER (the server.json of tests/tools/dav_server.py);
// run_caldav_bench.sh starts, loads and stops the servers. Google Benchmark's "CPU" column
// is the calling thread's CPU time, which is all of the client's work: libcurl runs in it.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/text_encoding.hpp"
#include "counting_transport.hpp"
#include "net/crypto.hpp"
#include "net/curl_transport.hpp"
#include "providers/caldav/caldav_provider.hpp"
#include "providers/caldav/dav_xml.hpp"

namespace {

struct Server {
    std::string url, calendar, user, password;
};

const Server& server() {
    static const Server s = [] {
        const char* path = std::getenv("CALSYNC_DAV_SERVER");
        if (path == nullptr)
            throw std::runtime_error("set CALSYNC_DAV_SERVER to a dav_server.py server.json");
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        rapidjson::Document d;
        d.Parse(text.str().c_str());
        return Server{d["url"].GetString(), d["calendar_url"].GetString(), d["user"].GetString(),
                      d["password"].GetString()};
    }();
    return s;
}

std::size_t expected_events() {
    const char* n = std::getenv("CALSYNC_BENCH_EVENTS");
    return n != nullptr ? std::stoul(n) : 10000;
}

calsync::net::HttpOptions local_options() {
    calsync::net::HttpOptions o;
    o.allow_private_addresses = true;  // the server is on 127.0.0.1
    o.total_timeout = std::chrono::seconds(600);
    o.max_response_bytes = 512u << 20;
    return o;
}

struct Client {
    std::shared_ptr<calsync::test::CountingTransport> transport =
        std::make_shared<calsync::test::CountingTransport>(local_options());
    std::shared_ptr<calsync::net::HttpClient> http =
        std::make_shared<calsync::net::HttpClient>(transport);
    calsync::providers::caldav::CalDavProvider provider{
        calsync::providers::caldav::CalDavOptions{server().url, server().user, server().password,
                                                  false},
        http};
};

std::vector<calsync::net::Header> auth_headers() {
    std::vector<calsync::net::Header> h;
    if (!server().user.empty())
        h.push_back({"Authorization", "Basic " + calsync::encoding::base64(server().user + ":" +
                                                                           server().password)});
    return h;
}

// One request as any client would send it, no parsing.
calsync::net::HttpResponse raw(calsync::net::Transport& t, const std::string& method,
                               const std::string& url, const char* depth, std::string body,
                               const char* type = "application/xml; charset=utf-8") {
    calsync::net::HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = std::move(body);
    r.headers = auth_headers();
    r.headers.push_back({"Content-Type", type});
    if (depth != nullptr)
        r.headers.push_back({"Depth", depth});
    auto resp = t.perform(r);
    if (!resp.ok() || resp->status / 100 != 2)
        throw std::runtime_error(method + " " + url + " failed");
    return std::move(resp).value();
}

void BM_CalDavFullSync(benchmark::State& state) {
    Client c;
    std::size_t upserts = 0;
    for (auto _ : state) {
        c.transport->requests = 0;
        auto r = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
        if (!r.ok()) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        upserts = r->upserts.size();
    }
    if (upserts != expected_events())
        state.SkipWithError("the full sync did not return every event");
    state.counters["requests"] = c.transport->requests;
    state.counters["events"] = static_cast<double>(upserts);
}

void BM_CalDavIncrementalOneChange(benchmark::State& state) {
    Client c;
    auto full = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    if (!full.ok()) {
        state.SkipWithError(full.error().message.c_str());
        return;
    }
    std::string cursor = full->next_cursor;
    calsync::net::CurlTransport other(local_options());
    // Across repetitions too: writing the same text twice is no change to the server.
    static int round = 0;
    std::size_t upserts = 0;
    for (auto _ : state) {
        state.PauseTiming();
        // Another client moves one event, as a phone or web UI would.
        ++round;
        raw(other, "PUT", server().calendar + "load-500.ics", nullptr,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            "UID:load-500\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260401T090000Z\r\n"
            "DTEND:20260401T100000Z\r\nSUMMARY:moved " +
                std::to_string(round) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "text/calendar");
        c.transport->requests = 0;
        state.ResumeTiming();
        auto r = c.provider.fetch_changes(server().calendar, cursor, calsync::TimeRange{});
        if (!r.ok()) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        cursor = r->next_cursor;
        upserts = r->upserts.size();
    }
    if (upserts != 1)
        state.SkipWithError("the incremental sync did not return exactly the one change");
    state.counters["requests"] = c.transport->requests;
}

// The fewest requests any client needs for every event with its data and a sync token:
// one sync-collection where the server puts calendar-data in it (Radicale), else that
// plus one calendar-query (Xandikos lists members without data).
void BM_RawCheapestFullSync(benchmark::State& state) {
    namespace dav = calsync::providers::caldav;
    calsync::net::CurlTransport t(local_options());
    int requests = 0;
    double bytes = 0;
    for (auto _ : state) {
        auto sync = raw(t, "REPORT", server().calendar, "0", dav::sync_collection_body("", true));
        requests = 1;
        bytes = static_cast<double>(sync.body.size());
        if (sync.body.find("BEGIN:VCALENDAR") == std::string::npos) {
            auto query = raw(t, "REPORT", server().calendar, "1", dav::calendar_query_body(true));
            requests = 2;
            bytes += static_cast<double>(query.body.size());
        }
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["requests"] = requests;
    state.counters["MB"] = bytes / 1e6;
}

BENCHMARK(BM_RawCheapestFullSync)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CalDavFullSync)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CalDavIncrementalOneChange)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    // Radicale builds its caches on the first request after a bulk load (about 24 s for
    // 1,000 events here): that is a one-time cost of the load, not of any client.
    {
        namespace dav = calsync::providers::caldav;
        calsync::net::CurlTransport t(local_options());
        const auto start = std::chrono::steady_clock::now();
        raw(t, "REPORT", server().calendar, "0", dav::sync_collection_body("", true));
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::fprintf(stderr, "warm-up request (not measured): %.1f s\n", took.count());
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
