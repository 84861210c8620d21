// GoogleProvider's writing side: exports created with the id derived from the appointment,
// updated by events.patch of only what differs, deleted, and found again by that id.
#include "providers/google/google_answer.hpp"
#include "providers/google/google_errors.hpp"
#include "providers/google/google_event_id.hpp"
#include "providers/google/google_event_json.hpp"
#include "providers/google/google_provider.hpp"

namespace calsync::providers::google {
namespace {

// The id and version of an Event resource Google answered a write with.
Result<RemoteEvent> remote_event(const net::HttpResponse& response, const std::string& request) {
    auto doc = parse_json(response.body, request);
    if (!doc.ok())
        return doc.error();
    RemoteEvent r{json_string(doc.value(), "id"), json_string(doc.value(), "etag")};
    if (r.id.empty())
        return make_error(ErrorCode::parse, request + ": the answer names no event id");
    return r;
}

}  // namespace

Result<RemoteEvent> GoogleProvider::write_event(const std::string& method, const std::string& url,
                                                const std::string& body,
                                                const std::string& if_match,
                                                const std::string& subject) {
    std::vector<net::Header> headers;
    if (!if_match.empty())
        headers.push_back({"If-Match", if_match});
    auto response = call(method, url, body, headers);
    if (!response.ok())
        return response.error();
    if (response->status == 412) {
        // Re-read, so the caller learns the version Google holds now.
        auto current = call("GET", url.substr(0, url.find('?')), "");
        std::string now_etag = "unknown";
        bool deleted = false;
        if (current.ok() && current->status == 200) {
            auto doc = parse_json(current->body, "");
            if (doc.ok()) {
                now_etag = json_string(doc.value(), "etag");
                deleted = json_string(doc.value(), "status") == "cancelled";
            }
        }
        if (deleted) {
            // Google keeps a deleted event as cancelled, with a new etag: the write did not
            // meet an edit but a deletion, which the caller treats as such (not_found).
            const std::string message = subject +
                                        " was deleted in Google Calendar since calsync wrote it [" +
                                        request_text(method, url) + ": HTTP 412 conditionNotMet]";
            Error e = make_error(ErrorCode::not_found, message);
            e.http_status = 412;
            return e;
        }
        Error e = make_error(ErrorCode::conflict,
                             subject + " changed in Google Calendar since calsync wrote it (now " +
                                 now_etag + "); re-read it before writing again [" +
                                 request_text(method, url) + ": HTTP 412 conditionNotMet]");
        e.http_status = 412;
        return e;
    }
    if (response->status != 200)
        return google_status_error(response.value(), subject, request_text(method, url));
    return remote_event(response.value(), request_text(method, url));
}

Result<std::optional<GoogleItem>> GoogleProvider::read_event(const std::string& url,
                                                             const std::string& calendar_id,
                                                             const std::string& subject) {
    auto response = call("GET", url, "");
    if (!response.ok())
        return response.error();
    if (response->status == 404 || response->status == 410)
        return std::optional<GoogleItem>();
    if (response->status != 200)
        return google_status_error(response.value(), subject, request_text("GET", url));
    auto doc = parse_json(response->body, request_text("GET", url));
    if (!doc.ok())
        return doc.error();
    auto item = read_google_event(doc.value(), calendar_id, json_string(doc.value(), "timeZone"));
    if (!item.ok())
        return make_error(ErrorCode::parse, subject + ": " + item.error().message + " [" +
                                                request_text("GET", url) + "]");
    return std::optional<GoogleItem>(std::move(item).value());
}

Result<RemoteEvent> GoogleProvider::patch_export(const std::string& url, const GoogleItem& current,
                                                 const Event& event, const std::string& subject) {
    auto body = write_google_patch(event, current);
    if (!body.ok())
        return body.error();
    // Nothing calsync writes differs (the owner changed a colour, say): nothing to send.
    if (!body->has_value())
        return RemoteEvent{current.event.id, current.event.etag};
    // events.patch, not events.update: an update replaces the whole resource, and with it
    // the owner's colour and reminders and other apps' private properties.
    return write_event("PATCH", url + "?sendUpdates=none", **body, current.event.etag, subject);
}

Result<RemoteEvent> GoogleProvider::create_event(const std::string& calendar_id,
                                                 const Event& event) {
    if (event.export_marker.empty())
        return make_error(ErrorCode::invalid_argument, "an exported event needs an export marker");
    const std::string id = export_event_id(event.export_marker);
    const std::string subject = "the event of appointment '" + event.export_marker + "' in " +
                                calendar_subject(calendar_id);
    auto body = write_google_event(event, id);
    if (!body.ok())
        return body.error();
    // sendUpdates=none: an export must never mail anyone.
    const std::string url = events_url(calendar_id) + "?sendUpdates=none";
    // A repeat is harmless: the id is fixed, so a second insert can only meet a 409.
    auto response = call("POST", url, body.value(), {}, true);
    if (!response.ok())
        return response.error();
    if (response->status == 200)
        return remote_event(response.value(), request_text("POST", url));
    if (response->status != 409)
        return google_status_error(response.value(), subject, request_text("POST", url));
    // The id is taken: by our earlier insert (its answer lost), or by our export deleted
    // since (Google keeps deleted events as cancelled and refuses the id again).
    const std::string existing_url = event_url(calendar_id, id);
    auto existing = read_event(existing_url, calendar_id, subject);
    if (!existing.ok())
        return existing.error();
    if (!existing->has_value())
        return make_error(ErrorCode::conflict,
                          subject + ": its event id " + id + " is taken, and yet not found");
    const GoogleItem& item = **existing;
    // The id was derived from this appointment: the event is ours, also when another app
    // dropped the marker, unless the marker names another appointment.
    if (!item.marker_property.empty() && item.marker_property != event.export_marker)
        return make_error(ErrorCode::conflict,
                          subject + ": its event id " + id +
                              " is taken by an event marked for appointment '" +
                              item.marker_property + "'");
    return patch_export(existing_url, item, event, subject);
}

Result<RemoteEvent> GoogleProvider::update_event(const std::string& calendar_id,
                                                 const RemoteEvent& existing, const Event& event) {
    const std::string url = event_url(calendar_id, existing.id);
    const std::string subject = "event '" + existing.id + "' in " + calendar_subject(calendar_id);
    // What Google holds now, to compare the fields calsync writes with.
    auto held = read_event(url, calendar_id, subject);
    if (!held.ok())
        return held.error();
    if (!held->has_value() || (*held)->is_cancelled()) {
        // Deleted since (Google keeps it as cancelled): the caller writes it anew.
        Error e = make_error(ErrorCode::not_found,
                             subject + " was deleted in Google Calendar since calsync wrote it [" +
                                 request_text("GET", url) + "]");
        return e;
    }
    const GoogleItem& item = **held;
    if (!existing.etag.empty() && item.event.etag != existing.etag) {
        // As If-Match would answer (412): the caller reads it again and plans anew.
        Error e = make_error(ErrorCode::conflict,
                             subject + " changed in Google Calendar since calsync read it (now " +
                                 item.event.etag + "); re-read it before writing again [" +
                                 request_text("GET", url) + "]");
        e.http_status = 412;
        return e;
    }
    return patch_export(url, item, event, subject);
}

Result<void> GoogleProvider::delete_event(const std::string& calendar_id,
                                          const RemoteEvent& existing) {
    const std::string url = event_url(calendar_id, existing.id) + "?sendUpdates=none";
    std::vector<net::Header> headers;
    if (!existing.etag.empty())
        headers.push_back({"If-Match", existing.etag});
    auto response = call("DELETE", url, "", headers);
    if (!response.ok())
        return response.error();
    const int status = response->status;
    // 410 deleted: "when deleting an already-deleted event"; the goal is reached.
    if (status == 204 || status == 200 || status == 410 || status == 404)
        return {};
    return google_status_error(response.value(),
                               "event '" + existing.id + "' in " + calendar_subject(calendar_id),
                               request_text("DELETE", url));
}

Result<std::optional<RemoteEvent>> GoogleProvider::find_export(const std::string& calendar_id,
                                                               const std::string& appointment_id) {
    const std::string url = event_url(calendar_id, export_event_id(appointment_id));
    auto response = call("GET", url, "");
    if (!response.ok())
        return response.error();
    if (response->status == 404 || response->status == 410)
        return std::optional<RemoteEvent>{};
    if (response->status != 200)
        return google_status_error(
            response.value(),
            "the event of appointment '" + appointment_id + "' in " + calendar_subject(calendar_id),
            request_text("GET", url));
    auto doc = parse_json(response->body, request_text("GET", url));
    if (!doc.ok())
        return doc.error();
    auto item = read_google_event(doc.value(), calendar_id, "");
    // The id derives from the appointment: ours, unless marked for another appointment.
    if (!item.ok() || item->is_cancelled() ||
        (!item->marker_property.empty() && item->marker_property != appointment_id))
        return std::optional<RemoteEvent>{};
    return std::optional<RemoteEvent>(RemoteEvent{item->event.id, item->event.etag});
}

}  // namespace calsync::providers::google
