#include "providers/caldav/caldav_provider.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <sstream>

#include "calsync/export_identity.hpp"
#include "calsync/ical.hpp"
#include "core/parallel_parts.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"
#include "providers/caldav/dav_xml.hpp"
#include "providers/caldav/export_resource.hpp"

namespace calsync::providers::caldav {
namespace {

using net::origin_of;

constexpr int kMaxRedirects = 5;
constexpr int kMaxSyncRounds = 100;  // 507-truncated sync-collection continuations
// What all rounds of one sync-collection may carry together: a calendar that does not fit
// in one response (net::HttpOptions::max_response_bytes) does not fit in several either,
// and what was read stays in memory until the change set is applied.
constexpr std::size_t kMaxSyncCollectionBytes = std::size_t{64} << 20;
// Answers with this many members are read on up to kMaxReadThreads threads (add_members).
constexpr std::size_t kParallelReadFrom = 256;
constexpr std::size_t kMaxReadThreads = 4;

std::vector<const DavResponse*> pointers_to(const std::deque<DavResponse>& responses) {
    std::vector<const DavResponse*> out;
    out.reserve(responses.size());
    for (const DavResponse& r : responses)
        out.push_back(&r);
    return out;
}

std::string with_slash(std::string url) {
    if (url.empty() || url.back() != '/')
        url += '/';
    return url;
}

// A write refused by its If-Match (412): the caller re-reads the calendar and plans again
// from what it holds now. No etag in the message: it means nothing to whoever reads it.
Error changed_since_read(const char* method, const std::string& url) {
    Error e = make_error(ErrorCode::conflict,
                         std::string(method) + " " + net::redact_url(url) +
                             ": changed on the server since calsync read it (HTTP 412)");
    e.http_status = 412;
    return e;
}

// Internal signals between sync_collection and its caller.
constexpr const char* kInvalidToken = "sync token no longer valid";
constexpr const char* kNoSyncCollection = "sync-collection not supported";

}  // namespace

struct CalDavProvider::Reply {
    net::HttpResponse response;
    std::string url;  // after redirects
};

CalDavOptions icloud_options(std::string apple_id, std::string app_specific_password) {
    CalDavOptions o;
    o.url = "https://caldav.icloud.com/";
    o.username = std::move(apple_id);
    o.password = std::move(app_specific_password);
    o.icloud = true;
    o.service_domain = "icloud.com";  // caldav.icloud.com hands out pNN-caldav.icloud.com
    return o;
}

CalDavProvider::CalDavProvider(CalDavOptions options, std::shared_ptr<net::HttpClient> http)
    : options_(std::move(options)), http_(std::move(http)) {
    // The password belongs to the origin it was given for (RFC 6454). Discovery (RFC 6764
    // 5, RFC 4918 hrefs) may lead to another origin: that link is followed without the
    // password, and a 401 there says why (send). Followed, not refused, so a server that
    // needs no password there still works; refusing would gain nothing, as no credential
    // goes along.
    redirects_.max_redirects = kMaxRedirects;
    auto origin = net::parse_origin(options_.url);
    if (origin.ok()) {
        redirects_.scope = net::CredentialScope{origin.value(), options_.service_domain};
        redirects_.https_only = origin->scheme == "https";
    }
    if (!options_.username.empty())
        redirects_.credentials.push_back(
            {"Authorization",
             "Basic " + encoding::base64(options_.username + ":" + options_.password)});
}

std::string CalDavProvider::absolute(const std::string& href, const std::string& base) {
    if (href.rfind("http://", 0) == 0 || href.rfind("https://", 0) == 0)
        return href;
    if (!href.empty() && href[0] == '/')
        return origin_of(base) + href;
    return base.substr(0, base.rfind('/') + 1) + href;
}

Result<CalDavProvider::Reply> CalDavProvider::send(const std::string& method,
                                                   const std::string& url, const char* depth,
                                                   const std::string& body,
                                                   const std::vector<net::Header>& extra) {
    net::HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.headers = extra;
    if (depth != nullptr)
        request.headers.push_back({"Depth", depth});
    if (!body.empty() && method != "PUT")
        request.headers.push_back({"Content-Type", "application/xml; charset=utf-8"});
    auto sent = net::send_following(*http_, std::move(request), redirects_);
    if (!sent.ok())
        return sent.error();
    Reply reply{std::move(sent->response), std::move(sent->url)};
    if (reply.response.status != 401)
        return reply;
    const std::string where = method + " " + net::redact_url(reply.url);
    Error e = make_error(ErrorCode::auth, where +
                                              ": the server refused the user name and "
                                              "password (HTTP 401)");
    if (!sent->sent_credentials && !redirects_.credentials.empty()) {
        auto there = net::parse_origin(reply.url);
        e.message = where +
                    ": the server asks for a password (HTTP 401), but calsync sends "
                    "the password only to " +
                    redirects_.scope->origin.text() +
                    ", where it was given, and discovery led to another server (" +
                    (there.ok() ? there->text() : std::string("?")) +
                    "); if the account lives there, connect with a URL on that server";
    } else if (options_.icloud) {
        e.message =
            "iCloud refused the Apple ID and password: iCloud needs an app-specific "
            "password (appleid.apple.com > Sign-In and Security > App-Specific "
            "Passwords), not the account password";
    }
    e.http_status = 401;
    return e;
}

Result<std::string> CalDavProvider::find_href(const std::string& url, const std::string& property) {
    std::string answered_by;
    auto ms = multistatus("PROPFIND", url, "0", propfind_body({property}), &answered_by);
    if (!ms.ok())
        return ms.error();
    for (const DavResponse& r : ms->responses) {
        const DavProp* p = r.prop(property);
        const std::vector<std::string> hrefs =
            p != nullptr ? p->hrefs() : std::vector<std::string>{};
        if (!hrefs.empty())
            return absolute(hrefs.front(), answered_by);
    }
    return make_error(ErrorCode::not_found, net::redact_url(answered_by) + " has no " +
                                                property.substr(property.find('|') + 1));
}

Result<void> CalDavProvider::discover() {
    const std::string start = options_.url;
    auto principal = find_href(start, std::string(kDavNs) + "|current-user-principal");
    // A refused password, a refused link (invalid_argument: a downgrade to http) and a
    // server asking to wait (429, or a Retry-After: asking elsewhere at once would ignore
    // it, and the fallback's answer would hide it) stand; anything else may just mean the
    // URL is not the context path.
    const auto stands = [](const Error& e) {
        return e.code == ErrorCode::auth || e.code == ErrorCode::invalid_argument ||
               e.code == ErrorCode::rate_limited || e.retry_after.has_value();
    };
    if (!principal.ok() && !stands(principal.error())) {
        // RFC 6764 5: the well-known URI leads to the context path.
        principal = find_href(origin_of(start) + "/.well-known/caldav",
                              std::string(kDavNs) + "|current-user-principal");
    }
    if (!principal.ok())
        return principal.error();
    principal_ = principal.value();
    // The home may be on another host (iCloud's partitions: p01-caldav.icloud.com ...).
    auto home = find_href(principal_, std::string(kCalDavNs) + "|calendar-home-set");
    if (!home.ok())
        return home.error();
    home_ = with_slash(home.value());
    return {};
}

Result<std::vector<Calendar>> CalDavProvider::list_calendars() {
    if (home_.empty() && !options_.calendar_home.empty()) {
        // Where an earlier discovery found it: one request instead of three.
        home_ = with_slash(options_.calendar_home);
        auto listed = list_home();
        // A refused password stands. A home that moved answers otherwise (403, 404, or
        // an empty listing: Xandikos): it is looked for again.
        if ((listed.ok() && !listed->empty()) ||
            (!listed.ok() && listed.error().http_status == 401))
            return listed;
        home_.clear();
    }
    if (home_.empty()) {
        auto found = discover();
        if (!found.ok())
            return found.error();
    }
    return list_home();
}

std::string CalDavProvider::learned_settings() const {
    if (home_.empty())
        return "";
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("calendar_home");
    w.String(home_.c_str(), static_cast<rapidjson::SizeType>(home_.size()));
    w.EndObject();
    return buffer.GetString();
}

Result<std::vector<Calendar>> CalDavProvider::list_home() {
    const std::string cal = kCalDavNs;
    const std::string dav = kDavNs;
    std::string answered_by;
    auto ms = multistatus(
        "PROPFIND", home_, "1",
        propfind_body(
            {dav + "|resourcetype", dav + "|displayname", std::string(kAppleNs) + "|calendar-color",
             cal + "|supported-calendar-component-set", dav + "|current-user-privilege-set",
             std::string(kCalServerNs) + "|getctag", dav + "|sync-token"}),
        &answered_by);
    if (!ms.ok())
        return ms.error();
    std::vector<Calendar> out;
    for (const DavResponse& r : ms->responses) {
        if (!r.has(dav + "|resourcetype", cal + "|calendar"))
            continue;
        const DavProp* comps = r.prop(cal + "|supported-calendar-component-set");
        if (comps != nullptr && !comps->comp_names().empty() && !comps->lists_component("VEVENT"))
            continue;  // a task list
        Calendar c;
        c.id = with_slash(absolute(r.href, answered_by));
        const DavProp* name = r.prop(dav + "|displayname");
        c.name = name != nullptr && !name->text.empty() ? name->text : c.id;
        if (const DavProp* color = r.prop(std::string(kAppleNs) + "|calendar-color"))
            c.color = color->text;
        c.can_write = r.has(dav + "|current-user-privilege-set", dav + "|write") ||
                      r.has(dav + "|current-user-privilege-set", dav + "|write-content") ||
                      r.has(dav + "|current-user-privilege-set", dav + "|all") ||
                      r.prop(dav + "|current-user-privilege-set") == nullptr;
        out.push_back(c);
    }
    return out;
}

bool CalDavProvider::add_member(const DavResponse& member, const std::string& calendar,
                                ChangeSet* into) {
    const DavProp* data = member.prop(std::string(kCalDavNs) + "|calendar-data");
    if (data == nullptr || data->text.empty())
        return false;
    const std::string href = absolute(member.href, calendar);
    const DavProp* etag = member.prop(std::string(kDavNs) + "|getetag");
    auto cal = read_ics(data->text, IcsReadOptions{});
    if (!cal.ok()) {
        into->errors.push_back({"", href, cal.error().message});
        return true;
    }
    for (const EventError& e : cal->errors)
        into->errors.push_back({"", href, e.message});
    int n = 0;
    for (Event& e : cal->events) {
        // One resource holds one series (RFC 4791 4.1); its href is the event's identity.
        e.id = n++ == 0 ? href : href + "#" + std::to_string(n);
        e.etag = etag != nullptr ? etag->text : "";
        // Our export, rewritten by an app that dropped the X- property: still ours.
        if (e.export_marker.empty())
            e.export_marker = exported_appointment(href, e.uid);
        into->upserts.push_back(std::move(e));
    }
    return true;
}

std::vector<char> CalDavProvider::add_members(const std::vector<const DavResponse*>& members,
                                              const std::string& calendar, ChangeSet* into) {
    // Reading members is CPU alone (libical, then the model), and a first sync reads thousands
    // from one answer after it has arrived, while the server that made it waits: a few threads
    // share them, each a contiguous part, joined in order.
    const std::size_t parts = parts_for(members.size(), kParallelReadFrom, kMaxReadThreads);
    std::vector<char> had(members.size(), 0);
    std::vector<ChangeSet> read(parts);
    run_in_parts(members.size(), parts, [&](std::size_t part, std::size_t first, std::size_t end) {
        for (std::size_t i = first; i < end; ++i)
            had[i] = add_member(*members[i], calendar, &read[part]) ? 1 : 0;
    });
    for (ChangeSet& part : read) {
        std::move(part.upserts.begin(), part.upserts.end(), std::back_inserter(into->upserts));
        std::move(part.errors.begin(), part.errors.end(), std::back_inserter(into->errors));
    }
    return had;
}

Result<Multistatus> CalDavProvider::multistatus(const std::string& method, const std::string& url,
                                                const char* depth, const std::string& body,
                                                std::string* final_url) {
    auto reply = send(method, url, depth, body);
    if (!reply.ok())
        return reply.error();
    if (reply->response.status != 207)
        return net::http_status_error(reply->response.status,
                                      method + " " + net::redact_url(reply->url));
    if (final_url != nullptr)
        *final_url = reply->url;
    return parse_multistatus(reply->response.body);
}

Result<void> CalDavProvider::read_resources(const std::string& calendar,
                                            const std::vector<std::string>& hrefs,
                                            ChangeSet* into) {
    if (hrefs.empty())
        return {};
    std::vector<std::string> paths;
    const std::string origin = origin_of(calendar);
    std::transform(hrefs.begin(), hrefs.end(), std::back_inserter(paths),
                   [&](const std::string& h) {
                       return h.rfind(origin, 0) == 0 ? h.substr(origin.size()) : h;
                   });
    auto ms = multistatus("REPORT", calendar, "1", calendar_multiget_body(paths));
    if (!ms.ok())
        return ms.error();
    const std::vector<char> had = add_members(pointers_to(ms->responses), calendar, into);
    for (std::size_t i = 0; i < had.size(); ++i) {
        if (had[i] == 0 && ms->responses[i].status == 404)
            into->removals.push_back(absolute(ms->responses[i].href, calendar));
    }
    return {};
}

Result<ChangeSet> CalDavProvider::sync_collection(const std::string& calendar,
                                                  const std::string& token, bool full) {
    ChangeSet changes;
    changes.full_resync = full;
    std::string next = token;
    std::vector<std::string> need;
    std::size_t received = 0;
    for (int round = 0; round < kMaxSyncRounds; ++round) {
        auto reply = send("REPORT", calendar, "0", sync_collection_body(next, true));
        if (!reply.ok())
            return reply.error();
        received += reply->response.body.size();
        if (received > kMaxSyncCollectionBytes)
            return make_error(ErrorCode::limit_exceeded,
                              "REPORT sync-collection " + net::redact_url(calendar) +
                                  ": the server's answers exceed " +
                                  std::to_string(kMaxSyncCollectionBytes) +
                                  " bytes in all, the limit");
        const int status = reply->response.status;
        auto ms = parse_multistatus(reply->response.body);
        const bool invalid_token =
            ms.ok() && ms->has_error(std::string(kDavNs) + "|valid-sync-token");
        if ((status == 403 || status == 409 || status == 207) && invalid_token)
            return make_error(ErrorCode::conflict, kInvalidToken);
        // Xandikos 0.2.8 answers 500 to a token it cannot read; starting over costs one
        // full sync, keeping the old token would fail forever.
        if (status == 500 && !next.empty() && round == 0)
            return make_error(ErrorCode::conflict, kInvalidToken);
        if (status != 207) {
            if (next.empty() &&
                (status == 400 || status == 403 || status == 405 || status == 501 || status == 404))
                return make_error(ErrorCode::not_found, kNoSyncCollection);
            return net::http_status_error(status,
                                          "REPORT sync-collection " + net::redact_url(calendar));
        }
        if (!ms.ok())
            return ms.error();
        bool truncated = false;
        std::vector<const DavResponse*> members;
        for (const DavResponse& r : ms->responses) {
            const std::string href = absolute(r.href, calendar);
            if (with_slash(href) == with_slash(calendar)) {
                // RFC 6578 3.6: 507 on the collection itself means "more to come".
                truncated = truncated || r.status == 507;
                continue;
            }
            if (r.status == 404) {
                changes.removals.push_back(href);
                continue;
            }
            members.push_back(&r);
        }
        const std::vector<char> had = add_members(members, calendar, &changes);
        for (std::size_t i = 0; i < had.size(); ++i) {
            if (had[i] == 0)  // the server lists members without their data
                need.push_back(absolute(members[i]->href, calendar));
        }
        next = ms->sync_token;
        if (!truncated)
            break;
    }
    if (!need.empty()) {
        if (full) {
            // Xandikos: one calendar-query for everything costs less than a multiget of
            // every member, which such servers answer in time linear per member.
            auto ms = multistatus("REPORT", calendar, "1", calendar_query_body(true));
            if (!ms.ok())
                return ms.error();
            changes.upserts.clear();
            changes.errors.clear();
            add_members(pointers_to(ms->responses), calendar, &changes);
        } else {
            auto read = read_resources(calendar, need, &changes);
            if (!read.ok())
                return read.error();
        }
    }
    changes.next_cursor = "sync\n" + next;
    return changes;
}

Result<ChangeSet> CalDavProvider::etag_sync(const std::string& calendar,
                                            const std::string& cursor) {
    std::map<std::string, std::string> before;
    {
        std::istringstream in(cursor.size() > 5 ? cursor.substr(5) : "");
        std::string line;
        while (std::getline(in, line)) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos)
                before[line.substr(0, tab)] = line.substr(tab + 1);
        }
    }
    const bool full = cursor.empty();
    auto ms = multistatus("REPORT", calendar, "1", calendar_query_body(full));
    if (!ms.ok())
        return ms.error();
    ChangeSet changes;
    changes.full_resync = full;
    std::map<std::string, std::string> after;
    std::vector<std::string> changed;
    std::vector<const DavResponse*> members;
    for (const DavResponse& r : ms->responses) {
        const DavProp* etag = r.prop(std::string(kDavNs) + "|getetag");
        if (etag == nullptr)
            continue;
        const std::string href = absolute(r.href, calendar);
        after[href] = etag->text;
        if (full) {
            members.push_back(&r);
        } else {
            auto old = before.find(href);
            if (old == before.end() || old->second != etag->text)
                changed.push_back(href);
        }
    }
    add_members(members, calendar, &changes);
    if (!full) {
        for (const auto& [href, etag] : before) {
            if (after.count(href) == 0)
                changes.removals.push_back(href);
        }
        auto read = read_resources(calendar, changed, &changes);
        if (!read.ok())
            return read.error();
    }
    changes.next_cursor = "etag\n";
    for (const auto& [href, etag] : after)
        changes.next_cursor += href + "\t" + etag + "\n";
    return changes;
}

Result<ChangeSet> CalDavProvider::fetch_changes(const std::string& calendar_id,
                                                const std::string& cursor, const TimeRange&) {
    const std::string calendar = with_slash(calendar_id);
    auto fetch = [&]() -> Result<ChangeSet> {
        if (cursor.rfind("etag\n", 0) == 0)
            return etag_sync(calendar, cursor);
        const std::string token = cursor.rfind("sync\n", 0) == 0 ? cursor.substr(5) : "";
        auto synced = sync_collection(calendar, token, token.empty());
        if (!synced.ok() && synced.error().message == kInvalidToken && !token.empty())
            synced = sync_collection(calendar, "", true);  // RFC 6578 3.2: start over
        if (!synced.ok() && synced.error().message == kNoSyncCollection)
            return etag_sync(calendar, "");
        return synced;
    };
    Result<ChangeSet> changes = fetch();
    if (!changes.ok())
        return changes;
    for (Event& e : changes->upserts) {
        e.calendar_id = calendar_id;
        for (Event& o : e.overrides)
            o.calendar_id = calendar_id;
    }
    for (EventError& e : changes->errors)
        e.calendar_id = calendar_id;
    return changes;
}

Result<RemoteEvent> CalDavProvider::create_event(const std::string& calendar_id,
                                                 const Event& event) {
    Event out = event;
    const std::string identity = !event.export_marker.empty() ? event.export_marker : event.uid;
    if (identity.empty())
        return make_error(ErrorCode::invalid_argument, "an exported event needs an export marker");
    if (out.uid.empty())
        out.uid = export_uid(identity, "");
    const std::string url = with_slash(calendar_id) + export_resource_name(identity);
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    // If-None-Match: * makes a repeated create (after a crash) fail instead of duplicating.
    auto reply = send("PUT", url, nullptr, write_ics(out, now),
                      {{"Content-Type", "text/calendar; charset=utf-8"}, {"If-None-Match", "*"}});
    if (!reply.ok())
        return reply.error();
    const int status = reply->response.status;
    // A server error may hide a create that took place, ours or a concurrent one: DAViCal
    // answers the loser of two simultaneous creates of one resource 500 (a unique key
    // violation in its database) where RFC 7232 says 412. Whether the name is taken now
    // decides, as for 412.
    if (status == 412 || status >= 500) {
        auto existing = send("GET", url, nullptr, "");
        if (!existing.ok())
            return existing.error();
        const int found = existing->response.status;
        if (status >= 500 && (found < 200 || found > 299))
            return net::http_status_error(status, "PUT " + net::redact_url(url));
        auto cal = read_ics(existing->response.body, IcsReadOptions{});
        const std::string* etag = existing->response.header("etag");
        const bool ours = cal.ok() && !cal->events.empty() && !event.export_marker.empty() &&
                          (cal->events[0].export_marker == event.export_marker ||
                           exported_appointment(url, cal->events[0].uid) == event.export_marker);
        if (ours)
            // Our earlier write (a retry after a lost response), or that write as another
            // app rewrote it (without our X- property). It may hold another version of the
            // appointment, and the caller records this one as written, so this one goes
            // over it.
            return update_event(calendar_id, RemoteEvent{url, etag != nullptr ? *etag : ""}, event);
        return net::http_status_error(
            412, "PUT " + net::redact_url(url) + ": another resource has that name");
    }
    if (status < 200 || status > 299)
        return net::http_status_error(status, "PUT " + net::redact_url(url));
    const std::string* etag = reply->response.header("etag");
    return RemoteEvent{url, etag != nullptr ? *etag : ""};
}

Result<RemoteEvent> CalDavProvider::update_event(const std::string&, const RemoteEvent& existing,
                                                 const Event& event) {
    Event out = event;
    if (out.uid.empty())
        out.uid = export_uid(event.export_marker, "");
    std::vector<net::Header> headers{{"Content-Type", "text/calendar; charset=utf-8"}};
    if (!existing.etag.empty())
        headers.push_back({"If-Match", existing.etag});
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto reply = send("PUT", existing.id, nullptr, write_ics(out, now), headers);
    if (!reply.ok())
        return reply.error();
    const int status = reply->response.status;
    if (status == 412)
        return changed_since_read("PUT", existing.id);
    if (status < 200 || status > 299)
        return net::http_status_error(status, "PUT " + net::redact_url(existing.id));
    const std::string* etag = reply->response.header("etag");
    return RemoteEvent{existing.id, etag != nullptr ? *etag : ""};
}

Result<void> CalDavProvider::delete_event(const std::string&, const RemoteEvent& existing) {
    std::vector<net::Header> headers;
    if (!existing.etag.empty())
        headers.push_back({"If-Match", existing.etag});
    auto reply = send("DELETE", existing.id, nullptr, "", headers);
    if (!reply.ok())
        return reply.error();
    const int status = reply->response.status;
    if (status == 404 || (status >= 200 && status <= 299))
        return {};
    if (status == 412)
        return changed_since_read("DELETE", existing.id);
    return net::http_status_error(status, "DELETE " + net::redact_url(existing.id));
}

}  // namespace calsync::providers::caldav
