// Issue 12, item 2b: a 3.6 MB multistatus with long namespace URIs on many empty elements
// took 2.39 GB in the DAV XML reader, which kept every descendant's "namespace|name". The
// reader's memory must stay a few times the body's, whatever shape the body has.
#include <memory>
#include <string>

#include "bounded_child.hpp"
#include "net/retry.hpp"
#include "providers/caldav/caldav_provider.hpp"
#include "providers/caldav/dav_xml.hpp"

using calsync::test::Bounds;
using calsync::test::check_within;
using calsync::test::run_in_child;
using calsync::test::scaled_for_build;

namespace {

constexpr std::size_t kBodyBytes = 3'600'000;
const std::string kLongUri = "urn:x:" + std::string(4000, 'n');

// `head` + `unit` repeated until the body is kBodyBytes + `tail`.
std::string body_of(const std::string& head, const std::string& unit, const std::string& tail) {
    std::string body = head;
    body.reserve(kBodyBytes + tail.size());
    while (body.size() + unit.size() + tail.size() <= kBodyBytes)
        body += unit;
    return body + tail;
}

const std::string kResponseHead =
    R"(<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response>)"
    R"(<d:href>/cal/</d:href><d:propstat><d:prop>)";
const std::string kResponseTail =
    R"(</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>)";

// What the reader made of the body: "parsed, N responses" or the error.
std::string verdict_of(const calsync::Result<calsync::providers::caldav::Multistatus>& ms) {
    if (!ms.ok())
        return "refused: " + ms.error().message;
    return "parsed, " + std::to_string(ms->responses.size()) + " responses";
}

// The child's peak over what building the body costs it, against a few times the body.
void check_proportional(const std::string& name, const std::string& body,
                        const std::string& expected) {
    INFO(name);
    auto baseline = run_in_child([&body] { return std::to_string(body.size()); });
    auto run = run_in_child(
        [&body] { return verdict_of(calsync::providers::caldav::parse_multistatus(body)); });
    check_within(run, expected);
    // "A few times its size at most": 4 times, plus a MiB of page granularity.
    const long allowed =
        scaled_for_build(Bounds{2.0, static_cast<long>(4 * body.size() >> 20) + 1}).rss_mib;
    INFO("peak " << run.peak_rss_mib << " MiB, baseline " << baseline.peak_rss_mib << " MiB");
    CHECK(run.peak_rss_mib - baseline.peak_rss_mib <= allowed);
}

}  // namespace

TEST_CASE("dav xml memory: long namespace URIs on many empty descendants", "[hostile][dav]") {
    const std::string body = body_of(kResponseHead + R"(<d:resourcetype xmlns:x=")" + kLongUri +
                                         R"("><d:collection/><c:calendar/>)",
                                     "<x:a/>", "</d:resourcetype>" + kResponseTail);
    check_proportional("descendants", body, "parsed, 1 responses");
    auto ms = calsync::providers::caldav::parse_multistatus(body);
    REQUIRE(ms.ok());
    CHECK(ms->responses[0].has("DAV:|resourcetype", "urn:ietf:params:xml:ns:caldav|calendar"));
}

TEST_CASE("dav xml memory: long namespace URIs on many empty properties", "[hostile][dav]") {
    const std::string body =
        body_of(R"(<d:multistatus xmlns:d="DAV:" xmlns:x=")" + kLongUri +
                    R"("><d:response><d:href>/cal/</d:href><d:propstat><d:prop>)",
                "<x:p/>", kResponseTail);
    check_proportional("properties", body, "parsed, 1 responses");
}

TEST_CASE("dav xml memory: many empty DAV properties, propstats and responses", "[hostile][dav]") {
    check_proportional("known properties",
                       body_of(kResponseHead, "<d:getetag/><c:calendar-data/>", kResponseTail),
                       "parsed, 1 responses");
    check_proportional("propstats",
                       body_of(R"(<d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href>)",
                               "<d:propstat><d:prop><d:getetag/></d:prop></d:propstat>",
                               "</d:response></d:multistatus>"),
                       "parsed, 1 responses");
    const std::string responses =
        body_of(R"(<d:multistatus xmlns:d="DAV:">)", "<d:response><d:href>/a</d:href></d:response>",
                "</d:multistatus>");
    std::size_t count = 0;
    for (auto at = responses.find("<d:response>"); at != std::string::npos;
         at = responses.find("<d:response>", at + 1))
        ++count;
    check_proportional("responses", responses, "parsed, " + std::to_string(count) + " responses");
    check_proportional("error names",
                       body_of(R"(<d:error xmlns:d="DAV:" xmlns:x=")" + kLongUri + R"(">)",
                               "<x:e/><d:e/>", "</d:error>"),
                       "parsed, 0 responses");
}

TEST_CASE("dav xml memory: deep nesting under a long namespace URI is refused", "[hostile][dav]") {
    std::string body = kResponseHead + R"(<d:resourcetype xmlns:x=")" + kLongUri + R"(">)";
    while (body.size() < kBodyBytes / 2)
        body += "<x:a>";
    check_proportional("nesting", body,
                       "refused: XML body nests elements deeper than 64 levels, the limit");
}

namespace {

// A server whose every sync-collection answer says "507: more to come" (RFC 6578 3.6) and
// carries `padding` bytes of XML comment: each round alone is well under the response cap.
struct EndlessSyncServer : calsync::net::Transport {
    explicit EndlessSyncServer(std::size_t padding)
        : body(R"(<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/</d:href>)"
               R"(<d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><!--)" +
               std::string(padding, '.') + "--><d:sync-token>t</d:sync-token></d:multistatus>") {}
    std::string body;
    int requests = 0;
    calsync::Result<calsync::net::HttpResponse> perform(const calsync::net::HttpRequest&) override {
        ++requests;
        calsync::net::HttpResponse r;
        r.status = 207;
        r.body = body;
        return r;
    }
};

}  // namespace

TEST_CASE("dav xml memory: sync-collection rounds are bounded in total bytes", "[hostile][dav]") {
    auto run = run_in_child([] {
        auto server = std::make_shared<EndlessSyncServer>(std::size_t{20} << 20);
        calsync::providers::caldav::CalDavProvider dav(
            {"https://dav.example/cal/", "u", "p", false},
            std::make_shared<calsync::net::HttpClient>(server));
        auto changes = dav.fetch_changes("https://dav.example/cal/", "", {});
        const std::string rounds = std::to_string(server->requests) + " rounds";
        if (changes.ok())
            return "read after " + rounds;
        return rounds + ": " + calsync::to_string(changes.error().code) + ": " +
               changes.error().message;
    });
    check_within(run,
                 "4 rounds: limit exceeded: REPORT sync-collection https://dav.example/cal/: the "
                 "server's answers exceed 67108864 bytes in all, the limit");
}
