#include "providers/google/google_provider.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include "core/user_terms.hpp"
#include "providers/google/google_answer.hpp"
#include "providers/google/google_errors.hpp"
#include "providers/google/google_event_json.hpp"
#include "providers/google/google_push.hpp"
#include "providers/google/google_series.hpp"

namespace calsync::providers::google {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

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

Result<WatchChannel> GoogleProvider::watch(const std::string& calendar_id,
                                           const WatchRequest& request) {
    if (!is_channel_id(request.channel_id))
        return make_error(ErrorCode::invalid_argument,
                          "the push channel id must be 1 to 64 characters of A-Z a-z 0-9 - _ + / = "
                          "(a UUID)");
    if (request.address.empty())
        return member_error("address", "the HTTPS receiver is missing");
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

Result<PushSubscription> GoogleProvider::subscribe(const PushChannelRequest& request) {
    WatchRequest watching;
    watching.channel_id = random_channel_id();
    watching.address = request.address;
    watching.connection_id = request.connection_id;
    watching.host_key = request.host_key;
    watching.expiration = request.now + kGoogleChannelLifetime;
    auto token = channel_token(request.host_key, watching.channel_id, request.connection_id,
                               request.calendar_id);
    if (!token.ok())
        return token.error();
    auto channel = watch(request.calendar_id, watching);
    if (!channel.ok())
        return channel.error();
    return PushSubscription{channel->id, channel->resource_id,
                            channel->expiration.value_or(*watching.expiration), token.value()};
}

Result<PushSubscription> GoogleProvider::renew(const PushSubscription& channel,
                                               const PushChannelRequest&) {
    return make_error(ErrorCode::not_found, "Google channel " + channel.channel_id +
                                                " cannot be renewed: a new channel replaces it");
}

Result<void> GoogleProvider::stop(const PushSubscription& channel) {
    return stop_channel(channel.channel_id, channel.resource_id);
}

}  // namespace calsync::providers::google
