#include "providers/google/google_provider.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include "core/bounded_json.hpp"
#include "providers/google/google_errors.hpp"
#include "providers/google/google_event_id.hpp"
#include "providers/google/google_event_json.hpp"
#include "providers/google/google_push.hpp"
#include "providers/google/google_series.hpp"

namespace calsync::providers::google {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

std::string calendar_subject(const std::string& calendar_id) {
    return "calendar '" + calendar_id + "'";
}

std::string request_text(const std::string& method, const std::string& url) {
    return method + " " + net::redact_url(url);
}

std::string json_string(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject())
        return {};
    auto it = v.FindMember(name);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

Result<rapidjson::Document> parse_json(const std::string& body, const std::string& request) {
    auto doc = json::parse_bounded(body, json::InvalidUtf8::replace);
    if (!doc.ok())
        return make_error(doc.error().code, request + ": " + doc.error().message);
    if (!doc->IsObject())
        return make_error(ErrorCode::parse, request + ": the answer is not a JSON object");
    return doc;
}

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

bool is_channel_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '+' || c == '/' || c == '=';
    });
}

std::string event_error_id(const rapidjson::Value& item, std::size_t page, std::size_t index) {
    const std::string id = json_string(item, "id");
    return !id.empty() ? id
                       : "item " + std::to_string(index + 1) + " of page " + std::to_string(page);
}

}  // namespace

// One events.list listing followed through all its pages.
struct GoogleProvider::Listing {
    // cppcheck-suppress unusedStructMember ; read through Result<Listing>
    std::vector<GoogleItem> items;
    // cppcheck-suppress unusedStructMember ; items that could not be read, skipped
    std::vector<EventError> errors;
    // cppcheck-suppress unusedStructMember ; read through Result<Listing>
    std::string next_sync_token;
};

GoogleProvider::GoogleProvider(GoogleOptions options, std::shared_ptr<net::OAuthSession> session,
                               std::shared_ptr<net::HttpClient> http)
    : options_(std::move(options)), session_(std::move(session)), http_(std::move(http)) {
    while (!options_.api_base_url.empty() && options_.api_base_url.back() == '/')
        options_.api_base_url.pop_back();
}

Result<net::HttpResponse> GoogleProvider::call(const std::string& method, const std::string& url,
                                               const std::string& body,
                                               std::vector<net::Header> headers,
                                               bool retry_safe_post) {
    net::HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.headers = std::move(headers);
    request.headers.push_back({"Accept", "application/json"});
    if (!body.empty())
        request.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
    request.retry_safe_post = retry_safe_post;
    auto response = session_->send(*http_, std::move(request));
    if (!response.ok() && response.error().code == ErrorCode::rate_limited) {
        Error e = response.error();
        e.message = "Google Calendar rate limit reached, calsync backed off and gave up for now: " +
                    e.message;
        return e;
    }
    return response;
}

std::string GoogleProvider::events_url(const std::string& calendar_id) const {
    return options_.api_base_url + "/calendars/" + net::percent_encode(calendar_id) + "/events";
}

std::string GoogleProvider::event_url(const std::string& calendar_id,
                                      const std::string& event_id) const {
    return events_url(calendar_id) + "/" + net::percent_encode(event_id);
}

Result<std::vector<Calendar>> GoogleProvider::list_calendars() {
    std::vector<Calendar> out;
    std::string page_token;
    for (int page = 0; page < options_.max_pages; ++page) {
        Query q{{"maxResults", std::to_string(options_.calendars_page_size)}};
        if (!page_token.empty())
            q.emplace_back("pageToken", page_token);
        const std::string url =
            options_.api_base_url + "/users/me/calendarList?" + net::form_encode(q);
        auto response = call("GET", url, "");
        if (!response.ok())
            return response.error();
        if (response->status != 200)
            return google_status_error(response.value(), "the calendar list",
                                       request_text("GET", url));
        auto doc = parse_json(response->body, request_text("GET", url));
        if (!doc.ok())
            return doc.error();
        auto items = doc->FindMember("items");
        if (items != doc->MemberEnd() && items->value.IsArray()) {
            for (const rapidjson::Value& entry : items->value.GetArray()) {
                auto deleted = entry.IsObject() ? entry.FindMember("deleted") : entry.MemberEnd();
                if (!entry.IsObject() || json_string(entry, "id").empty() ||
                    (deleted != entry.MemberEnd() && deleted->value.IsBool() &&
                     deleted->value.GetBool()))
                    continue;
                Calendar c;
                c.id = json_string(entry, "id");
                // The name the user gave the calendar in their list wins over its title.
                c.name = json_string(entry, "summaryOverride");
                if (c.name.empty())
                    c.name = json_string(entry, "summary");
                if (c.name.empty())
                    c.name = c.id;
                c.color = json_string(entry, "backgroundColor");
                c.time_zone = json_string(entry, "timeZone");
                const std::string role = json_string(entry, "accessRole");
                c.can_write = role == "writer" || role == "owner";
                auto primary = entry.FindMember("primary");
                c.is_primary = primary != entry.MemberEnd() && primary->value.IsBool() &&
                               primary->value.GetBool();
                out.push_back(std::move(c));
            }
        }
        page_token = json_string(doc.value(), "nextPageToken");
        if (page_token.empty())
            return out;
    }
    return make_error(ErrorCode::limit_exceeded, "the calendar list did not end after " +
                                                     std::to_string(options_.max_pages) + " pages");
}

Result<GoogleProvider::Listing> GoogleProvider::list_events(const std::string& calendar_id,
                                                            Query query, bool need_sync_token) {
    Listing listing;
    std::string page_token;
    std::set<std::string> seen_tokens;
    for (int page = 1; page <= options_.max_pages; ++page) {
        Query q = query;
        if (!page_token.empty())
            q.emplace_back("pageToken", page_token);
        const std::string url = events_url(calendar_id) + "?" + net::form_encode(q);
        auto response = call("GET", url, "");
        if (!response.ok())
            return response.error();
        if (response->status != 200)
            return google_status_error(response.value(), calendar_subject(calendar_id),
                                       request_text("GET", url));
        auto doc = parse_json(response->body, request_text("GET", url));
        if (!doc.ok())
            return doc.error();
        const std::string zone = json_string(doc.value(), "timeZone");
        auto items = doc->FindMember("items");
        if (items != doc->MemberEnd() && items->value.IsArray()) {
            std::size_t index = 0;
            for (const rapidjson::Value& item : items->value.GetArray()) {
                auto read = read_google_event(item, calendar_id, zone);
                if (read.ok())
                    listing.items.push_back(std::move(read).value());
                else
                    listing.errors.push_back(
                        {calendar_id, event_error_id(item, static_cast<std::size_t>(page), index),
                         read.error().message});
                ++index;
            }
        }
        // A page may hold fewer items than asked, even none, and still not be the last:
        // only a missing nextPageToken ends the listing, and only the last page carries
        // nextSyncToken.
        page_token = json_string(doc.value(), "nextPageToken");
        if (page_token.empty()) {
            listing.next_sync_token = json_string(doc.value(), "nextSyncToken");
            if (need_sync_token && listing.next_sync_token.empty())
                return make_error(ErrorCode::parse, request_text("GET", url) +
                                                        ": the last page carries no nextSyncToken");
            return listing;
        }
        if (!seen_tokens.insert(page_token).second)
            return make_error(ErrorCode::http,
                              request_text("GET", url) + ": the server repeated a page token");
    }
    return make_error(ErrorCode::limit_exceeded, calendar_subject(calendar_id) +
                                                     ": the event listing did not end after " +
                                                     std::to_string(options_.max_pages) + " pages");
}

Result<ChangeSet> GoogleProvider::full_sync(const std::string& calendar_id,
                                            const TimeRange& window) {
    // Deleted events are asked for too: cancelled exceptions are the exclusions of their
    // series (a full sync may leave out cancelled single events, but not those).
    Query q{{"showDeleted", "true"}, {"maxResults", std::to_string(options_.events_page_size)}};
    if (!window.empty()) {
        // timeMin bounds an event's end and timeMax its start (both exclusive); allowed on
        // a full sync, refused together with a syncToken, so incremental syncs keep
        // reporting changes anywhere and the store keeps what lies outside.
        q.emplace_back("timeMin", format_rfc3339(window.start));
        q.emplace_back("timeMax", format_rfc3339(window.end));
    }
    auto listing = list_events(calendar_id, q, true);
    if (!listing.ok())
        return listing.error();
    ChangeSet changes;
    changes.full_resync = true;
    changes.upserts = assemble_listing(listing->items);
    changes.errors = std::move(listing->errors);
    changes.next_cursor = listing->next_sync_token;
    return changes;
}

Result<void> GoogleProvider::read_series(const std::string& calendar_id,
                                         const std::string& master_id, const IncrementalPlan& plan,
                                         ChangeSet* into) {
    std::string uid;
    if (auto known = plan.series_uid.find(master_id); known != plan.series_uid.end())
        uid = known->second;
    if (uid.empty()) {
        // Only cancelled exceptions changed (they carry no iCalUID): the master tells it.
        const std::string url = event_url(calendar_id, master_id);
        auto response = call("GET", url, "");
        if (!response.ok())
            return response.error();
        if (response->status == 404 || response->status == 410) {
            // No master on this calendar: the exceptions are events of their own.
            auto changed = plan.instances.find(master_id);
            if (changed == plan.instances.end())
                return {};
            for (const GoogleItem& item : changed->second) {
                if (item.is_cancelled())
                    into->removals.push_back(item.event.id);
                else
                    into->upserts.push_back(standalone_instance(item));
            }
            return {};
        }
        if (response->status != 200)
            return google_status_error(
                response.value(), "event '" + master_id + "' in " + calendar_subject(calendar_id),
                request_text("GET", url));
        auto doc = parse_json(response->body, request_text("GET", url));
        if (!doc.ok())
            return doc.error();
        auto master = read_google_event(doc.value(), calendar_id, "");
        if (!master.ok()) {
            into->errors.push_back({calendar_id, master_id, master.error().message});
            return {};
        }
        if (master->is_cancelled()) {
            into->removals.push_back(master_id);
            return {};
        }
        uid = master->event.uid;
        if (uid.empty()) {
            into->errors.push_back({calendar_id, master_id, "a recurring event without iCalUID"});
            return {};
        }
    }
    // Every item of the series, cancelled exceptions included (no time window: a moved
    // exception may lie anywhere).
    auto listing = list_events(calendar_id,
                               Query{{"iCalUID", uid},
                                     {"showDeleted", "true"},
                                     {"maxResults", std::to_string(options_.events_page_size)}},
                               false);
    if (!listing.ok())
        return listing.error();
    std::vector<GoogleItem> members;
    std::copy_if(listing->items.begin(), listing->items.end(), std::back_inserter(members),
                 [&](const GoogleItem& item) {
                     return item.event.id == master_id || item.recurring_event_id == master_id;
                 });
    std::vector<Event> events = assemble_listing(members);
    const bool master_listed = std::any_of(events.begin(), events.end(),
                                           [&](const Event& e) { return e.id == master_id; });
    if (!master_listed)
        into->removals.push_back(master_id);  // deleted since, or never on this calendar
    for (Event& e : events)
        into->upserts.push_back(std::move(e));
    for (EventError& e : listing->errors)
        into->errors.push_back(std::move(e));
    return {};
}

Result<ChangeSet> GoogleProvider::incremental_sync(const std::string& calendar_id,
                                                   const std::string& token) {
    // With a syncToken only these may accompany it; timeMin/timeMax, iCalUID, q, orderBy,
    // updatedMin and the extended-property filters are refused (400), and deleted items
    // are always included.
    auto listing = list_events(calendar_id,
                               Query{{"syncToken", token},
                                     {"showDeleted", "true"},
                                     {"maxResults", std::to_string(options_.events_page_size)}},
                               true);
    if (!listing.ok())
        return listing.error();
    const IncrementalPlan plan = plan_incremental(listing->items);
    ChangeSet changes;
    changes.upserts = plan.upserts;
    changes.removals = plan.removals;
    changes.errors = std::move(listing->errors);
    for (const std::string& master_id : plan.series) {
        auto read = read_series(calendar_id, master_id, plan, &changes);
        if (!read.ok())
            return read.error();
    }
    changes.next_cursor = listing->next_sync_token;
    return changes;
}

Result<ChangeSet> GoogleProvider::fetch_changes(const std::string& calendar_id,
                                                const std::string& cursor,
                                                const TimeRange& window) {
    if (cursor.empty())
        return full_sync(calendar_id, window);
    auto changes = incremental_sync(calendar_id, cursor);
    // 410 fullSyncRequired: "clear its storage and perform a full synchronization".
    if (!changes.ok() && changes.error().http_status == 410)
        return full_sync(calendar_id, window);
    return changes;
}

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

Result<WatchChannel> GoogleProvider::watch(const std::string& calendar_id,
                                           const WatchRequest& request) {
    if (!is_channel_id(request.channel_id))
        return make_error(ErrorCode::invalid_argument,
                          "channel_id: 1 to 64 characters of A-Z a-z 0-9 - _ + / = (a UUID)");
    if (request.address.empty())
        return make_error(ErrorCode::invalid_argument, "address: the HTTPS receiver is missing");
    auto token =
        channel_token(request.host_key, request.channel_id, request.connection_id, calendar_id);
    if (!token.ok())
        return token.error();
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("id");
    w.String(request.channel_id.c_str());
    w.Key("type");
    w.String("web_hook");
    w.Key("address");
    w.String(request.address.c_str());
    w.Key("token");
    w.String(token->c_str());
    if (request.expiration) {
        // Channel.expiration: Unix time in milliseconds, an int64 written as a string.
        w.Key("expiration");
        w.String(std::to_string(to_unix(*request.expiration) * 1000).c_str());
    }
    w.EndObject();
    const std::string url = events_url(calendar_id) + "/watch";
    // Not repeated on failure: a second watch with the same channel id is refused.
    auto response = call("POST", url, buffer.GetString());
    if (!response.ok())
        return response.error();
    if (response->status != 200)
        return google_status_error(response.value(), calendar_subject(calendar_id),
                                   request_text("POST", url));
    auto doc = parse_json(response->body, request_text("POST", url));
    if (!doc.ok())
        return doc.error();
    WatchChannel channel;
    channel.id = json_string(doc.value(), "id");
    channel.resource_id = json_string(doc.value(), "resourceId");
    channel.resource_uri = json_string(doc.value(), "resourceUri");
    channel.calendar_id = calendar_id;
    const std::string expiration = json_string(doc.value(), "expiration");
    if (!expiration.empty() && expiration.find_first_not_of("0123456789") == std::string::npos &&
        expiration.size() < 18)
        channel.expiration = instant_from_unix(std::stoll(expiration) / 1000);
    if (channel.id.empty() || channel.resource_id.empty())
        return make_error(ErrorCode::parse,
                          request_text("POST", url) + ": the channel has no id or resourceId");
    return channel;
}

Result<void> GoogleProvider::stop_channel(const std::string& channel_id,
                                          const std::string& resource_id) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("id");
    w.String(channel_id.c_str());
    w.Key("resourceId");
    w.String(resource_id.c_str());
    w.EndObject();
    const std::string url = options_.api_base_url + "/channels/stop";
    auto response = call("POST", url, buffer.GetString(), {}, true);  // stopping twice is harmless
    if (!response.ok())
        return response.error();
    if (response->status == 204 || response->status == 200 || response->status == 404)
        return {};
    return google_status_error(response.value(), "push channel '" + channel_id + "'",
                               request_text("POST", url));
}

}  // namespace calsync::providers::google
