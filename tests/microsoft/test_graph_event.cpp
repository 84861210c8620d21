// graph_event.cpp: Graph event JSON read into calsync::Event (hand-checked instants) and
// the bodies calsync writes.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "calsync/engine.hpp"
#include "providers/microsoft/graph_event.hpp"

using namespace calsync;
using namespace calsync::providers::microsoft;

namespace {

Result<GraphItem> read(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return read_item(doc, "cal-1");
}

// A timed event around `extra` members.
std::string timed(const std::string& extra, const char* zone = "UTC") {
    return std::string(R"({"id":"AAMk1=","changeKey":"ck1","subject":"Brakes",)") +
           R"("start":{"dateTime":"2026-03-02T09:00:00.0000000","timeZone":")" + zone +
           R"("},"end":{"dateTime":"2026-03-02T10:30:00.0000000","timeZone":")" + zone + R"("})" +
           (extra.empty() ? "" : "," + extra) + "}";
}

Instant at(const char* t) {
    return parse_rfc3339(t).value();
}

const TimeZone& utc() {
    return *TimeZone::utc();
}

// Whether the engine blocks the event's first occurrence under the default policy.
BlockDecision blocks(const Event& e, CalendarPolicy policy = {}) {
    Occurrence o;
    o.all_day = e.start.is_date();
    o.status = e.status;
    o.transparency = e.transparency;
    o.owner_response = e.owner_response;
    return decide_block(e, o, policy);
}

}  // namespace

TEST_CASE("graph event: a UTC event keeps its instants, id, changeKey and calendar") {
    auto item =
        read(timed(R"("iCalUId":"uid-1","bodyPreview":"note","location":{"displayName":"Bay 2"})"));
    REQUIRE(item.ok());
    REQUIRE(item->kind == GraphItem::Kind::event);
    const Event& e = item->event;
    CHECK(e.id == "AAMk1=");
    CHECK(e.calendar_id == "cal-1");
    CHECK(e.etag == "W/\"ck1\"");  // as If-Match takes it, like an export's version
    CHECK(e.uid == "uid-1");
    CHECK(e.summary == "Brakes");
    CHECK(e.description == "note");
    CHECK(e.location == "Bay 2");
    CHECK(e.start.kind == EventTime::Kind::utc);
    CHECK(e.start.resolve(utc()) == at("2026-03-02T09:00:00Z"));
    CHECK(e.end->resolve(utc()) == at("2026-03-02T10:30:00Z"));
    CHECK_FALSE(e.is_recurring());
    CHECK(blocks(e).blocks);
}

TEST_CASE("graph event: the version is @odata.etag, else built from changeKey") {
    const std::string etag = R"("@odata.etag":"W/\"ck1\"")";
    for (const std::string& json : {timed(etag), timed("")}) {
        INFO(json);
        auto item = read(json);
        REQUIRE(item.ok());
        CHECK(item->event.etag == "W/\"ck1\"");
    }
    rapidjson::Document neither;
    neither.Parse(R"({"id":"AAMk1="})");
    CHECK(providers::microsoft::event_version(neither).empty());
}

TEST_CASE("graph event: a Windows zone name is read through CLDR") {
    // 09:00 in W. Europe (Berlin, CET in March before the 29th) is 08:00 UTC.
    auto item = read(timed("", "W. Europe Standard Time"));
    REQUIRE(item.ok());
    const Event& e = item->event;
    CHECK(e.start.kind == EventTime::Kind::zoned);
    CHECK(e.start.tzid == "W. Europe Standard Time");
    CHECK(e.start.zone->name() == "Europe/Berlin");
    CHECK(e.start.resolve(utc()) == at("2026-03-02T08:00:00Z"));
    // Pacific Standard Time on 2 March is PST (UTC-8).
    auto pacific = read(timed("", "Pacific Standard Time"));
    REQUIRE(pacific.ok());
    CHECK(pacific->event.start.resolve(utc()) == at("2026-03-02T17:00:00Z"));
    // IANA names are accepted too (Graph takes a fixed list of them).
    auto iana = read(timed("", "Asia/Tokyo"));
    REQUIRE(iana.ok());
    CHECK(iana->event.start.resolve(utc()) == at("2026-03-02T00:00:00Z"));
}

TEST_CASE("graph event: an unknown zone is an unknown_zone error naming the event") {
    auto item = read(timed("", "tzone://Microsoft/Custom"));
    REQUIRE_FALSE(item.ok());
    CHECK(item.error().code == ErrorCode::unknown_zone);
    CHECK_THAT(item.error().message,
               Catch::Contains("AAMk1=") && Catch::Contains("tzone://Microsoft/Custom"));
}

TEST_CASE("graph event: all-day events are dates, whatever zone they are given in") {
    auto item = read(R"({"id":"d1","isAllDay":true,
        "start":{"dateTime":"2026-03-03T00:00:00.0000000","timeZone":"Pacific Standard Time"},
        "end":{"dateTime":"2026-03-05T00:00:00.0000000","timeZone":"Pacific Standard Time"}})");
    REQUIRE(item.ok());
    const Event& e = item->event;
    REQUIRE(e.start.is_date());
    CHECK(e.start.local.date == CivilDate{2026, 3, 3});
    CHECK(e.end->local.date == CivilDate{2026, 3, 5});
}

TEST_CASE("graph event: showAs decides transparency and tentative status") {
    auto show = [](const char* value) {
        auto item = read(timed(std::string(R"("showAs":")") + value + "\""));
        REQUIRE(item.ok());
        return item->event;
    };
    CHECK_FALSE(blocks(show("free")).blocks);
    CHECK_FALSE(blocks(show("workingElsewhere")).blocks);
    CHECK(blocks(show("busy")).blocks);
    CHECK(blocks(show("oof")).blocks);
    CHECK(blocks(show("unknown")).blocks);
    const Event tentative = show("tentative");
    CHECK(tentative.status == EventStatus::tentative);
    CHECK(blocks(tentative).tentative);
    CalendarPolicy lenient;
    lenient.tentative_blocks = false;
    CHECK_FALSE(blocks(tentative, lenient).blocks);
}

TEST_CASE("graph event: cancelled events and the owner's answers") {
    auto with = [](const std::string& extra) {
        auto item = read(timed(extra));
        REQUIRE(item.ok());
        return item->event;
    };
    CHECK(with(R"("isCancelled":true)").status == EventStatus::cancelled);
    CHECK_FALSE(blocks(with(R"("isCancelled":true)")).blocks);
    CHECK(with(R"("responseStatus":{"response":"declined"},"isOrganizer":false)").owner_response ==
          Response::declined);
    CHECK_FALSE(
        blocks(with(R"("responseStatus":{"response":"declined"},"isOrganizer":false)")).blocks);
    CHECK(with(R"("responseStatus":{"response":"accepted"},"isOrganizer":false)").owner_response ==
          Response::accepted);
    CHECK(with(R"("responseStatus":{"response":"tentativelyAccepted"},"isOrganizer":false)")
              .owner_response == Response::tentative);
    // Unanswered invitations: notResponded, and "none" on someone else's meeting.
    const Event unanswered =
        with(R"("responseStatus":{"response":"notResponded"},"isOrganizer":false)");
    CHECK(unanswered.owner_response == Response::needs_action);
    CHECK(with(R"("responseStatus":{"response":"none"},"isOrganizer":false)").owner_response ==
          Response::needs_action);
    CalendarPolicy ignore_unanswered;
    ignore_unanswered.unanswered_blocks = false;
    CHECK_FALSE(blocks(unanswered, ignore_unanswered).blocks);
    // "none" on the owner's own appointment (nothing to answer) and "organizer" block.
    CHECK(with(R"("responseStatus":{"response":"none"},"isOrganizer":true)").owner_response ==
          Response::none);
    CHECK(with(R"("responseStatus":{"response":"organizer"},"isOrganizer":true)").owner_response ==
          Response::none);
}

TEST_CASE("graph event: instances of a series stand alone, the master is skipped") {
    auto occurrence = read(timed(R"("type":"occurrence","seriesMasterId":"M1")"));
    REQUIRE(occurrence.ok());
    CHECK(occurrence->kind == GraphItem::Kind::event);
    CHECK_FALSE(occurrence->event.is_recurring());
    auto master =
        read(timed(R"("type":"seriesMaster","recurrence":{"pattern":{"type":"weekly"}})"));
    REQUIRE(master.ok());
    CHECK(master->kind == GraphItem::Kind::series_master);
    auto removed = read(
        R"({"@odata.type":"#microsoft.graph.event","id":"R1","@removed":{"reason":"deleted"}})");
    REQUIRE(removed.ok());
    CHECK(removed->kind == GraphItem::Kind::removed);
    CHECK(removed->id == "R1");
}

TEST_CASE("graph event: malformed events are errors that say what is wrong") {
    auto no_id = read(R"({"subject":"x"})");
    REQUIRE_FALSE(no_id.ok());
    CHECK_THAT(no_id.error().message, Catch::Contains("without an id"));
    auto no_start =
        read(R"({"id":"E9","end":{"dateTime":"2026-03-02T10:00:00","timeZone":"UTC"}})");
    REQUIRE_FALSE(no_start.ok());
    CHECK_THAT(no_start.error().message, Catch::Contains("E9") && Catch::Contains("start"));
    auto bad_time = read(R"({"id":"E8","start":{"dateTime":"tomorrow","timeZone":"UTC"},
        "end":{"dateTime":"2026-03-02T10:00:00","timeZone":"UTC"}})");
    REQUIRE_FALSE(bad_time.ok());
    CHECK(bad_time.error().code == ErrorCode::parse);
}

TEST_CASE("graph event: calsync's exports are recognised by transactionId or property") {
    auto by_transaction =
        read(timed("\"transactionId\":\"" + transaction_id_for("appt-42", "AAMkCal1") + "\""));
    REQUIRE(by_transaction.ok());
    CHECK(by_transaction->event.export_marker == "appt-42");
    CHECK_FALSE(blocks(by_transaction->event).blocks);
    auto by_property = read(timed(std::string(R"("singleValueExtendedProperties":[{"id":")") +
                                  kAppointmentPropertyId + R"(","value":"appt-7"}])"));
    REQUIRE(by_property.ok());
    CHECK(by_property->event.export_marker == "appt-7");
    // Another client's transactionId is not ours.
    auto foreign = read(timed(R"("transactionId":"7E163156-7762-4BEB-A1C6-729EA81755A7")"));
    REQUIRE(foreign.ok());
    CHECK(foreign->event.export_marker.empty());
    CHECK(appointment_from_transaction_id(transaction_id_for("a/b c", "AAMkCal1")) == "a/b c");
    // One appointment in two calendars of a mailbox: two ids, both read back to it.
    CHECK(transaction_id_for("appt-1", "AAMkCal1") != transaction_id_for("appt-1", "AAMkCal2"));
    CHECK(transaction_id_for("appt-1", "AAMkCal1") == transaction_id_for("appt-1", "AAMkCal1"));
    CHECK(appointment_from_transaction_id(transaction_id_for("appt-1", "AAMkCal2")) == "appt-1");
    // An export written before the calendar digest ("calsync-" + base64url) still reads.
    CHECK(appointment_from_transaction_id("calsync-YXBwdC05") == "appt-9");
    // The transactionId is the identity; the property a hint another app may have changed.
    auto rewritten = read(timed("\"transactionId\":\"" + transaction_id_for("appt-42", "AAMkCal1") +
                                R"(","singleValueExtendedProperties":[{"id":")" +
                                kAppointmentPropertyId + R"(","value":"appt-7"}])"));
    REQUIRE(rewritten.ok());
    CHECK(rewritten->event.export_marker == "appt-42");
}

TEST_CASE("graph event: the body written for an export") {
    Event e;
    e.summary = "Service: VW Golf";
    e.description = "Client: Ada";
    e.location = "Bay 1";
    e.start = EventTime::at_utc(at("2026-03-02T09:00:00Z"));
    e.end = EventTime::at_utc(at("2026-03-02T10:00:00Z"));
    e.export_marker = "appt-1";
    rapidjson::Document create;
    create.Parse(create_body(e, "AAMkCal1").c_str());
    REQUIRE(create.IsObject());
    CHECK(std::string(create["subject"].GetString()) == "Service: VW Golf");
    CHECK(std::string(create["body"]["content"].GetString()) == "Client: Ada");
    CHECK(std::string(create["start"]["dateTime"].GetString()) == "2026-03-02T09:00:00");
    CHECK(std::string(create["start"]["timeZone"].GetString()) == "UTC");
    CHECK(std::string(create["end"]["dateTime"].GetString()) == "2026-03-02T10:00:00");
    CHECK(std::string(create["showAs"].GetString()) == "busy");
    CHECK_FALSE(create["isAllDay"].GetBool());
    CHECK(std::string(create["transactionId"].GetString()) ==
          transaction_id_for("appt-1", "AAMkCal1"));
    const auto& prop = create["singleValueExtendedProperties"][0];
    CHECK(std::string(prop["id"].GetString()) == kAppointmentPropertyId);
    CHECK(std::string(prop["value"].GetString()) == "appt-1");

    // An update cannot change the transactionId (Graph refuses it), and puts the property
    // back, should another app have dropped it.
    rapidjson::Document update;
    update.Parse(update_body(e).c_str());
    CHECK_FALSE(update.HasMember("transactionId"));
    CHECK(std::string(update["singleValueExtendedProperties"][0]["value"].GetString()) == "appt-1");

    // A later generation (made again after a deletion) is another transactionId that
    // still reads back to the appointment.
    e.export_generation = 3;
    rapidjson::Document again;
    again.Parse(create_body(e, "AAMkCal1").c_str());
    const std::string later = again["transactionId"].GetString();
    CHECK(later != transaction_id_for("appt-1", "AAMkCal1"));
    CHECK(later == transaction_id_for("appt-1", "AAMkCal1", 3));
    CHECK(appointment_from_transaction_id(later) == "appt-1");

    // All-day: midnight to midnight, the end the day after when none is given.
    Event day;
    day.start = EventTime::all_day({2026, 3, 4});
    rapidjson::Document all_day;
    all_day.Parse(update_body(day).c_str());
    CHECK(all_day["isAllDay"].GetBool());
    CHECK(std::string(all_day["start"]["dateTime"].GetString()) == "2026-03-04T00:00:00");
    CHECK(std::string(all_day["end"]["dateTime"].GetString()) == "2026-03-05T00:00:00");
}
