#include "providers/microsoft/graph_event.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "core/text_encoding.hpp"
#include "core/windows_zones.hpp"
#include "net/crypto.hpp"
#include "providers/microsoft/graph_client.hpp"

namespace calsync::providers::microsoft {
namespace {

constexpr std::string_view kTransactionPrefix = "calsync-";

Error bad_event(const std::string& id, const std::string& why) {
    return make_error(ErrorCode::parse, "event " + id + ": " + why);
}

// The zone a Graph dateTimeTimeZone is written in: the Prefer: outlook.timezone zone, a
// Windows name (mapped through CLDR) or an IANA name (Graph accepts a fixed list of them).
Result<ZonePtr> zone_named(const std::string& name) {
    if (name.empty() || ascii::iequals(name, "UTC") ||
        ascii::iequals(name, "tzone://Microsoft/Utc"))
        return TimeZone::utc();
    if (auto iana = iana_from_windows(name))
        return find_iana_zone(*iana);
    return find_iana_zone(name);
}

// "2016-12-09T20:30:00.0000000": seven fractional digits, no offset (the offset is the
// separate timeZone member).
Result<CivilDateTime> local_part(const std::string& text) {
    return parse_local(std::string_view(text).substr(0, std::min<std::size_t>(19, text.size())));
}

Result<EventTime> read_time(const rapidjson::Value& event, const char* which, bool all_day,
                            const std::string& id) {
    const rapidjson::Value* t = object_member(event, which);
    if (t == nullptr)
        return bad_event(id, std::string("no ") + which);
    auto local = local_part(string_member(*t, "dateTime"));
    if (!local.ok())
        return bad_event(id, std::string(which) + ": " + local.error().message);
    // An all-day event is a civil date range; reading it as an instant would move it to
    // the previous day for anyone west of the zone it was given in.
    if (all_day)
        return EventTime::all_day(local->date);
    const std::string zone_name = string_member(*t, "timeZone");
    auto zone = zone_named(zone_name);
    if (!zone.ok())
        return Error{ErrorCode::unknown_zone,
                     "event " + id + ": " + which + ": unknown time zone '" + zone_name + "'", 0,
                     std::nullopt};
    if (zone.value()->name() == TimeZone::utc()->name() || zone.value()->name() == "Etc/UTC")
        return EventTime::at_utc(instant_from_unix(civil_seconds(local.value())));
    return EventTime::in_zone(local.value(), zone.value(), zone_name);
}

// responseStatus.response: none, organizer, tentativelyAccepted, accepted, declined,
// notResponded. "none" on an invitation (the owner is not the organizer) is an invitation
// nobody answered; on the owner's own appointment it means there is nothing to answer.
Response read_response(const rapidjson::Value& event) {
    const rapidjson::Value* status = object_member(event, "responseStatus");
    const std::string r = status != nullptr ? string_member(*status, "response") : "";
    // Without isOrganizer, notResponded alone says it is someone else's invitation.
    const bool organizer = bool_member(event, "isOrganizer", r != "notResponded");
    if (r == "accepted")
        return Response::accepted;
    if (r == "tentativelyAccepted")
        return Response::tentative;
    if (r == "declined")
        return Response::declined;
    if ((r == "notResponded" || r == "none") && !organizer)
        return Response::needs_action;
    return Response::none;
}

// The appointment an event was exported for. The transactionId is the identity: derived
// from the appointment, set by the create and unchangeable after it. The extended property
// is a hint another app may drop or rewrite; it names the appointment only of an event
// without a transactionId of calsync's (a copy Outlook made of an export, say, which the
// plan then removes as a second event).
std::string marker_of(const rapidjson::Value& event) {
    if (auto derived = appointment_from_transaction_id(string_member(event, "transactionId")))
        return *derived;
    auto props = event.FindMember("singleValueExtendedProperties");
    if (props != event.MemberEnd() && props->value.IsArray()) {
        for (const auto& p : props->value.GetArray()) {
            if (ascii::iequals(string_member(p, "id"), kAppointmentPropertyId))
                return string_member(p, "value");
        }
    }
    return "";
}

}  // namespace

std::string transaction_id_for(const std::string& appointment_id, const std::string& calendar_id,
                               std::int64_t generation) {
    // "calsync-" + base64url(appointment id) + "." + 8 bytes of SHA-256(calendar id, and
    // the generation after the first), in base64url too; base64url has no '.', so the
    // appointment part reads back alone. Generation 0 keeps the form of older exports.
    const std::string scope =
        generation == 0 ? calendar_id : calendar_id + "\n" + std::to_string(generation);
    return std::string(kTransactionPrefix) + encoding::base64url(appointment_id) + "." +
           encoding::base64url(net::sha256(scope).substr(0, 8));
}

std::optional<std::string> appointment_from_transaction_id(std::string_view transaction_id) {
    if (transaction_id.substr(0, kTransactionPrefix.size()) != kTransactionPrefix)
        return std::nullopt;
    std::string_view appointment = transaction_id.substr(kTransactionPrefix.size());
    // Exports of calsync before the calendar digest have none.
    appointment = appointment.substr(0, appointment.find('.'));
    auto decoded = encoding::base64url_decode(appointment);
    if (!decoded.ok() || decoded->empty())
        return std::nullopt;
    return decoded.value();
}

std::string event_version(const rapidjson::Value& item) {
    // Graph serves "@odata.etag" as W/"<changeKey>" (the OData weak ETag of the entity);
    // a $select that leaves it out still returns changeKey.
    std::string version = string_member(item, "@odata.etag");
    const std::string change_key = string_member(item, "changeKey");
    if (version.empty() && !change_key.empty())
        version = "W/\"" + change_key + "\"";
    return version;
}

Result<GraphItem> read_item(const rapidjson::Value& item, const std::string& calendar_id) {
    GraphItem out;
    if (!item.IsObject())
        return make_error(ErrorCode::parse, "an item of the page is not a JSON object");
    out.id = string_member(item, "id");
    if (out.id.empty())
        return make_error(ErrorCode::parse, "an event without an id");
    if (item.HasMember("@removed")) {
        out.kind = GraphItem::Kind::removed;
        return out;
    }
    if (string_member(item, "type") == "seriesMaster") {
        out.kind = GraphItem::Kind::series_master;
        return out;
    }
    Event& e = out.event;
    e.id = out.id;
    e.calendar_id = calendar_id;
    e.uid = string_member(item, "iCalUId");
    e.summary = string_member(item, "subject");
    e.description = string_member(item, "bodyPreview");
    if (const rapidjson::Value* location = object_member(item, "location"))
        e.location = string_member(*location, "displayName");
    e.etag = event_version(item);
    const bool all_day = bool_member(item, "isAllDay", false);
    auto start = read_time(item, "start", all_day, out.id);
    if (!start.ok())
        return start.error();
    auto end = read_time(item, "end", all_day, out.id);
    if (!end.ok())
        return end.error();
    e.start = start.value();
    e.end = end.value();
    // showAs: free and workingElsewhere leave the time bookable; tentative is left to the
    // policy (tentative_blocks); busy, oof and unknown block.
    const std::string show_as = string_member(item, "showAs");
    if (show_as == "free" || show_as == "workingElsewhere")
        e.transparency = Transparency::transparent;
    if (show_as == "tentative")
        e.status = EventStatus::tentative;
    if (bool_member(item, "isCancelled", false))
        e.status = EventStatus::cancelled;
    e.owner_response = read_response(item);
    e.export_marker = marker_of(item);
    return out;
}

namespace {

// `create_in`: the calendar of a create, which writes the identity too; nullptr for an update.
std::string write_body(const Event& event, const std::string* create_in) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    const auto write_time = [&w](const char* name, const EventTime& t) {
        w.Key(name);
        w.StartObject();
        w.Key("dateTime");
        // Exports are written in UTC (all-day ones as dates at midnight), so no zone name
        // has to survive the trip through Windows names.
        const std::string text =
            t.is_date() ? format_date(t.local.date) + "T00:00:00"
                        : format_local(civil_from_seconds(to_unix(t.resolve(*TimeZone::utc()))));
        w.String(text.c_str());
        w.Key("timeZone");
        w.String("UTC");
        w.EndObject();
    };
    w.StartObject();
    w.Key("subject");
    w.String(event.summary.c_str());
    w.Key("body");
    w.StartObject();
    w.Key("contentType");
    w.String("text");
    w.Key("content");
    w.String(event.description.c_str());
    w.EndObject();
    w.Key("location");
    w.StartObject();
    w.Key("displayName");
    w.String(event.location.c_str());
    w.EndObject();
    w.Key("isAllDay");
    w.Bool(event.start.is_date());
    write_time("start", event.start);
    EventTime end = event.end ? *event.end : event.start;
    if (!event.end && event.start.is_date())
        end = EventTime::all_day(add_days(event.start.local.date, 1));
    write_time("end", end);
    w.Key("showAs");
    w.String(event.transparency == Transparency::transparent ? "free" : "busy");
    if (create_in != nullptr && !event.export_marker.empty()) {
        w.Key("transactionId");
        w.String(
            transaction_id_for(event.export_marker, *create_in, event.export_generation).c_str());
    }
    if (!event.export_marker.empty()) {
        // On an update too: the property is how an export is found (find_export), and an
        // app that rewrote the event may have dropped it.
        w.Key("singleValueExtendedProperties");
        w.StartArray();
        w.StartObject();
        w.Key("id");
        w.String(kAppointmentPropertyId);
        w.Key("value");
        w.String(event.export_marker.c_str());
        w.EndObject();
        w.EndArray();
    }
    w.EndObject();
    return buffer.GetString();
}

}  // namespace

std::string create_body(const Event& event, const std::string& calendar_id) {
    return write_body(event, &calendar_id);
}

std::string update_body(const Event& event) {
    return write_body(event, nullptr);
}

}  // namespace calsync::providers::microsoft
