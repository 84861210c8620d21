// Issue 12, item 10: ill-formed UTF-8 passed from a feed's X-WR-CALNAME, a UID or an
// appointment field into calsync's output, and bindings then failed on every call. What
// comes from a calendar service becomes U+FFFD where it enters; what the host sends is
// refused naming the field, and nothing stored changes.
#include <calsync.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "bounded_child.hpp"
#include "core/utf8.hpp"
#include "fake_server.hpp"
#include "in_process.hpp"
#include "providers/caldav/dav_xml.hpp"
#include "providers/google/google_provider.hpp"

using calsync::test::answering;
using calsync::test::check_within;
using calsync::test::new_client;
using calsync::test::run_in_child;
using calsync::test::session_over;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

// The JSON a C ABI call hands out through `call(&out)`, or what went wrong.
template <class Call>
std::string answer_of(Call&& call) {
    char* out = nullptr;
    const calsync_status status = call(&out);
    if (status != CALSYNC_OK)
        return "status " + std::to_string(status) + ": " + calsync_last_error_message();
    std::string text = out;
    calsync_string_free(out);
    return text;
}

// "valid" and the answer's slot labels and event ids, or why the answer is not valid.
std::string slots_verdict(const std::string& answer) {
    if (!calsync::utf8::is_valid(answer))
        return "not UTF-8 at byte " + std::to_string(calsync::utf8::first_invalid(answer));
    auto label = answer.find("\"label\":\"");
    auto event = answer.find("\"event_id\":\"");
    if (label == std::string::npos || event == std::string::npos)
        return "no slot: " + answer.substr(0, 300);
    label += 9;
    event += 12;
    return "valid; " + answer.substr(label, answer.find('"', label) - label) + "; " +
           answer.substr(event, answer.find('"', event) - event);
}

std::string json_escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("utf8: a feed with ill-formed UTF-8 in its name and a UID gives valid slots",
          "[hostile][utf8]") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    char path[] = "/tmp/calsync-utf8-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path, std::ios::binary)
        << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Werkstatt \xE4 Nord\r\n"
           "BEGIN:VEVENT\r\nUID:dent\xFFist\r\nDTSTART:20260601T100000Z\r\n"
           "DTEND:20260601T110000Z\r\nSUMMARY:Zahn\xC0\xAF"
           "arzt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    const std::string url = server.url(std::string("/feed?file=") + path);
    auto run = run_in_child([&url] {
        calsync_client* client =
            new_client(nullptr, R"({"zone": "UTC", "network": {"allow_private_addresses": true},)"
                                R"( "window": {"days_back": 3660, "days_ahead": 3660}})");
        if (client == nullptr)
            return std::string("no client: ") + calsync_last_error_message();
        calsync_connection* k = nullptr;
        const std::string connect = R"({"kind": "ics_feed", "connection_id": "feed",)"
                                    R"( "settings": {"url": ")" +
                                    url + R"("}})";
        std::string verdict;
        if (calsync_client_connect(client, connect.c_str(), &k) != CALSYNC_OK) {
            verdict = std::string("no connection: ") + calsync_last_error_message();
        } else {
            const std::string listed =
                answer_of([&](char** out) { return calsync_connection_calendars(k, out); });
            const auto at = listed.find("\"id\":\"");
            const std::string calendar =
                at == std::string::npos ? ""
                                        : listed.substr(at + 6, listed.find('"', at + 6) - at - 6);
            const std::string select =
                R"({"calendar_id": ")" + json_escaped(calendar) + R"(", "direction": "import"})";
            char* report = nullptr;
            if (calsync_connection_select(k, select.c_str()) != CALSYNC_OK ||
                calsync_connection_sync(k, &report) != CALSYNC_OK) {
                verdict = std::string("no sync: ") + calsync_last_error_message();
            } else {
                calsync_string_free(report);
                const char* june =
                    R"({"start": "2026-06-01T00:00:00Z", "end": "2026-06-02T00:00:00Z"})";
                verdict = slots_verdict(answer_of(
                    [&](char** out) { return calsync_client_blocked_slots(client, june, out); }));
                // The listing names the feed as it was read.
                const std::string again =
                    answer_of([&](char** out) { return calsync_connection_calendars(k, out); });
                verdict += calsync::utf8::is_valid(again) ? "" : "; listing not UTF-8";
                verdict +=
                    again.find("\"name\":\"Werkstatt \xEF\xBF\xBD Nord\"") != std::string::npos
                        ? "; named"
                        : "; " + again;
            }
            calsync_connection_free(k);
        }
        calsync_client_free(client);
        return verdict;
    });
    std::remove(path);
    // The slot's label is the feed's own name, read at connect, its ill-formed byte
    // replaced.
    check_within(run, "valid; Werkstatt " + kFffd + " Nord; dent" + kFffd + "ist; named");
}

TEST_CASE("utf8: host input with ill-formed UTF-8 is refused naming the field, nothing stored",
          "[hostile][utf8]") {
    auto run = run_in_child([] {
        calsync_client* client = new_client();
        if (client == nullptr)
            return std::string("no client: ") + calsync_last_error_message();
        const char* kept =
            R"({"id": "a1", "start": "2026-06-01T10:00:00Z", "end": "2026-06-01T11:00:00Z",)"
            R"( "client": "Weber"})";
        const std::string bad =
            "{\"id\": \"a1\", \"start\": \"2026-06-01T10:00:00Z\", "
            "\"end\": \"2026-06-01T11:00:00Z\", \"client\": \"M\xFCller\"}";
        std::string verdict;
        if (calsync_client_upsert_appointment(client, kept) != CALSYNC_OK)
            verdict = std::string("not stored: ") + calsync_last_error_message();
        const calsync_status refused = calsync_client_upsert_appointment(client, bad.c_str());
        verdict += std::to_string(refused) + ": " + calsync_last_error_message();
        const std::string stored =
            answer_of([&](char** out) { return calsync_client_appointments(client, out); });
        verdict += stored.find("\"Weber\"") != std::string::npos ? "; kept" : "; lost: " + stored;
        char* slots = nullptr;
        const std::string engine =
            "{\"version\": 1, \"zone\": \"UTC\", \"window\": {\"start\": "
            "\"2026-06-01T00:00:00Z\", \"end\": \"2026-06-02T00:00:00Z\"}, "
            "\"calendars\": [{\"id\": \"c\", \"name\": \"N\xF6rd\"}]}";
        const calsync_status s = calsync_engine_blocked_slots(engine.c_str(), &slots);
        verdict += "; " + std::to_string(s) + ": " + calsync_last_error_message();
        calsync_client_free(client);
        return verdict;
    });
    check_within(run,
                 "-2: client is not valid UTF-8; kept; -2: calendars[0].name is not valid "
                 "UTF-8");
}

TEST_CASE("utf8: DAV XML and Google JSON from a server become U+FFFD, not an error",
          "[hostile][utf8]") {
    auto run = run_in_child([] {
        auto ms = calsync::providers::caldav::parse_multistatus(
            "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/cal/</d:href><d:propstat>"
            "<d:prop><d:displayname>Werkstatt \xE4</d:displayname></d:prop></d:propstat>"
            "</d:response></d:multistatus>");
        std::string verdict =
            ms.ok() ? "dav: " + ms->responses[0].prop("DAV:|displayname")->text : "dav failed";
        auto http = answering(
            "{\"items\": [{\"id\": \"primary\", \"summary\": \"Werkstatt \xE4\", "
            "\"accessRole\": \"owner\"}]}");
        calsync::providers::google::GoogleProvider google({}, session_over(http), http);
        auto calendars = google.list_calendars();
        verdict += calendars.ok() && !calendars->empty() ? "; google: " + calendars->at(0).name
                                                         : "; google failed";
        return verdict;
    });
    check_within(run, "dav: Werkstatt " + kFffd + "; google: Werkstatt " + kFffd);
}
