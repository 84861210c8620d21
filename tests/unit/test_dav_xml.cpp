// WebDAV XML (src/providers/caldav/dav_xml.cpp): namespaces, not prefixes, decide.
#include <catch2/catch.hpp>

#include "providers/caldav/dav_xml.hpp"

using calsync::providers::caldav::parse_multistatus;

TEST_CASE("any prefix, or none, names the same element", "[dav]") {
    const char* bodies[] = {
        R"(<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">
           <d:response><d:href>/cal/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag>
           <cal:calendar-data>BEGIN:VCALENDAR</cal:calendar-data></d:prop>
           <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
           <d:sync-token>http://x/sync/7</d:sync-token></d:multistatus>)",
        R"(<x0:multistatus xmlns:x0="DAV:" xmlns:x1="urn:ietf:params:xml:ns:caldav">
           <x0:response><x0:href>/cal/a.ics</x0:href><x0:propstat><x0:prop><x0:getetag>"1"</x0:getetag>
           <x1:calendar-data><![CDATA[BEGIN:VCALENDAR]]></x1:calendar-data></x0:prop>
           <x0:status>HTTP/1.1 200 OK</x0:status></x0:propstat></x0:response>
           <x0:sync-token>http://x/sync/7</x0:sync-token></x0:multistatus>)",
        R"(<multistatus xmlns="DAV:"><response><href>/cal/a.ics</href><propstat><prop>
           <getetag>"1"</getetag><calendar-data xmlns="urn:ietf:params:xml:ns:caldav">BEGIN:VCALENDAR</calendar-data>
           </prop><status>HTTP/1.1 200 OK</status></propstat></response>
           <sync-token>http://x/sync/7</sync-token></multistatus>)",
    };
    for (const char* body : bodies) {
        INFO(body);
        auto ms = parse_multistatus(body);
        REQUIRE(ms.ok());
        REQUIRE(ms->responses.size() == 1);
        const auto& r = ms->responses[0];
        CHECK(r.href == "/cal/a.ics");
        REQUIRE(r.prop("DAV:|getetag") != nullptr);
        CHECK(r.prop("DAV:|getetag")->text == "\"1\"");
        REQUIRE(r.prop("urn:ietf:params:xml:ns:caldav|calendar-data") != nullptr);
        CHECK(r.prop("urn:ietf:params:xml:ns:caldav|calendar-data")->text == "BEGIN:VCALENDAR");
        CHECK(ms->sync_token == "http://x/sync/7");
    }
}

TEST_CASE("removed members, properties not found, nested hrefs and resource types", "[dav]") {
    auto ms =
        parse_multistatus(R"(<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
      <D:response><D:href>/cal/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
      <D:response><D:href>/cal/</D:href>
        <D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
          <D:current-user-principal><D:href>/principals/me/</D:href></D:current-user-principal>
          <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
        </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
        <D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
      </D:response></D:multistatus>)");
    REQUIRE(ms.ok());
    REQUIRE(ms->responses.size() == 2);
    CHECK(ms->responses[0].status == 404);
    const auto& cal = ms->responses[1];
    CHECK(cal.has("DAV:|resourcetype", "urn:ietf:params:xml:ns:caldav|calendar"));
    CHECK(cal.prop("DAV:|current-user-principal")->hrefs() ==
          std::vector<std::string>{"/principals/me/"});
    const auto* comps = cal.prop("urn:ietf:params:xml:ns:caldav|supported-calendar-component-set");
    CHECK(comps->comp_names() == std::vector<std::string>{"VEVENT", "VTODO"});
    CHECK(comps->lists_component("VTODO"));
    CHECK_FALSE(comps->lists_component("VJOURNAL"));
    CHECK(cal.prop("DAV:|displayname") == nullptr);  // reported 404
}

TEST_CASE("an invalid sync token error body", "[dav]") {
    auto ms = parse_multistatus(
        R"(<?xml version="1.0"?><error xmlns="DAV:"><valid-sync-token/></error>)");
    REQUIRE(ms.ok());
    CHECK(ms->has_error("DAV:|valid-sync-token"));
    CHECK_FALSE(ms->has_error("DAV:|number-of-matches-within-limits"));
}

TEST_CASE("entity declarations and broken XML are refused", "[dav]") {
    auto laughs = parse_multistatus(R"(<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaa">
      <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><m xmlns="DAV:">&b;</m>)");
    REQUIRE_FALSE(laughs.ok());
    CHECK_THAT(laughs.error().message, Catch::Contains("entities"));
    auto broken = parse_multistatus("<d:multistatus xmlns:d=\"DAV:\"><d:response>");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == calsync::ErrorCode::parse);
}

TEST_CASE("what is kept: the properties calsync reads, once, from 2xx propstats", "[dav]") {
    auto ms = parse_multistatus(R"(<d:multistatus xmlns:d="DAV:" xmlns:x="urn:example:other">
      <d:response><d:href>/cal/a.ics</d:href>
        <d:propstat><d:prop><d:getetag>"1"</d:getetag><x:secret>s</x:secret>
          <d:resourcetype><x:shared/><d:collection/></d:resourcetype></d:prop>
          <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
        <d:propstat><d:prop><d:getetag>"2"</d:getetag><d:displayname>Gone</d:displayname></d:prop>
          <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
        <d:propstat><d:prop><d:sync-token>t</d:sync-token></d:prop>
          <d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat>
        <d:error><d:need-privileges/><x:custom/></d:error>
      </d:response>
      <d:response><d:propstat><d:prop><d:getetag>"3"</d:getetag></d:prop></d:propstat></d:response>
    </d:multistatus>)");
    REQUIRE(ms.ok());
    REQUIRE(ms->responses.size() == 1);  // the one without an href names nothing
    const auto& r = ms->responses[0];
    CHECK(r.prop("DAV:|getetag")->text == "\"1\"");  // the first of a name wins
    CHECK(r.prop("DAV:|displayname")->text == "Gone");
    CHECK(r.prop("urn:example:other|secret") == nullptr);  // never asked for
    CHECK(r.prop("DAV:|sync-token") == nullptr);           // reported 403
    CHECK(r.has("DAV:|resourcetype", "DAV:|collection"));
    CHECK_FALSE(r.has("DAV:|resourcetype", "urn:example:other|shared"));
    CHECK(r.has_error("DAV:|need-privileges"));
    CHECK_FALSE(r.has_error("urn:example:other|custom"));
}

TEST_CASE("elements nested past the limit are refused", "[dav]") {
    std::string body = R"(<d:multistatus xmlns:d="DAV:">)";
    for (std::size_t i = 1; i < calsync::providers::caldav::kMaxXmlDepth; ++i)
        body += "<d:x>";
    std::string closed = body;
    for (std::size_t i = 1; i < calsync::providers::caldav::kMaxXmlDepth; ++i)
        closed += "</d:x>";
    CHECK(parse_multistatus(closed + "</d:multistatus>").ok());
    auto deeper =
        parse_multistatus(body + "<d:x/>" + closed.substr(body.size()) + "</d:multistatus>");
    REQUIRE_FALSE(deeper.ok());
    CHECK(deeper.error().code == calsync::ErrorCode::limit_exceeded);
    CHECK(deeper.error().message == "XML body nests elements deeper than 64 levels, the limit");
}

TEST_CASE("ill-formed UTF-8 becomes U+FFFD, a declared encoding is expat's", "[dav][utf8]") {
    auto stray = parse_multistatus(
        "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/cal/\xE4/</d:href><d:propstat>"
        "<d:prop><d:displayname>Werkstatt \xE4 Nord</d:displayname></d:prop></d:propstat>"
        "</d:response></d:multistatus>");
    REQUIRE(stray.ok());
    CHECK(stray->responses[0].href == "/cal/\xEF\xBF\xBD/");
    CHECK(stray->responses[0].prop("DAV:|displayname")->text == "Werkstatt \xEF\xBF\xBD Nord");
    auto latin1 = parse_multistatus(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><d:multistatus xmlns:d=\"DAV:\">"
        "<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:displayname>Werkstatt \xE4"
        "</d:displayname></d:prop></d:propstat></d:response></d:multistatus>");
    REQUIRE(latin1.ok());
    CHECK(latin1->responses[0].prop("DAV:|displayname")->text == "Werkstatt \xC3\xA4");
}

TEST_CASE("request bodies escape what they carry", "[dav]") {
    const std::string body = calsync::providers::caldav::calendar_multiget_body({"/cal/a&b.ics"});
    CHECK_THAT(body, Catch::Contains("<d:href>/cal/a&amp;b.ics</d:href>"));
    CHECK_THAT(calsync::providers::caldav::sync_collection_body("", true),
               Catch::Contains("<d:sync-token></d:sync-token>"));
}
