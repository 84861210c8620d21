#include "providers/ics_feed/ics_feed_provider.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "calsync/ical.hpp"
#include "net/redirects.hpp"

namespace calsync::providers::ics_feed {
namespace {

// Feeds move (iCloud's public calendars answer webcal:// with a redirect to their
// partition host): a few hops, each through the URL guard, with no credentials to carry.
constexpr int kMaxFeedRedirects = 5;

// The cursor: line 1 ETag, line 2 Last-Modified, then "event id<TAB>fingerprint" lines.
struct FeedCursor {
    std::string etag;
    std::string last_modified;
    std::map<std::string, std::string> fingerprints;

    static FeedCursor parse(const std::string& text) {
        FeedCursor c;
        std::istringstream in(text);
        std::getline(in, c.etag);
        std::getline(in, c.last_modified);
        std::string line;
        while (std::getline(in, line)) {
            const auto tab = line.rfind('\t');
            if (tab != std::string::npos)
                c.fingerprints[line.substr(0, tab)] = line.substr(tab + 1);
        }
        return c;
    }
    std::string text() const {
        std::string out = etag + "\n" + last_modified + "\n";
        for (const auto& [id, fp] : fingerprints)
            out += id + "\t" + fp + "\n";
        return out;
    }
};

void describe(std::ostream& out, const EventTime& t) {
    out << static_cast<int>(t.kind) << ' ' << format_local(t.local) << ' '
        << (t.zone ? t.zone->name() : t.tzid) << ';';
}

void describe(std::ostream& out, const Event& e) {
    out << e.uid << '|' << e.summary << '|';
    describe(out, e.start);
    if (e.end)
        describe(out, *e.end);
    if (e.duration)
        out << e.duration->days << 'd' << e.duration->seconds << 's';
    out << '|' << to_string(e.status) << to_string(e.transparency) << to_string(e.owner_response)
        << '|' << e.export_marker << '|';
    for (const auto& r : e.recurrence.rrules)
        out << r << ';';
    for (const auto& r : e.recurrence.rdates) {
        describe(out, r.start);
        if (r.end)
            describe(out, *r.end);
    }
    for (const auto& x : e.recurrence.exdates)
        describe(out, x);
    if (e.recurrence_id) {
        out << "rid";
        describe(out, *e.recurrence_id);
        out << e.this_and_future;
    }
    for (const Event& o : e.overrides) {
        out << "{";
        describe(out, o);
        out << "}";
    }
}

}  // namespace

std::string fingerprint(const Event& event) {
    std::ostringstream out;
    describe(out, event);
    // FNV-1a, 64 bits: a change detector, not a security boundary.
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : out.str()) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

IcsFeedProvider::IcsFeedProvider(std::string url, std::shared_ptr<net::HttpClient> http,
                                 IcsFeedOptions options)
    : url_(std::move(url)), http_(std::move(http)), options_(std::move(options)) {}

Result<net::HttpResponse> IcsFeedProvider::get_feed(const std::string& etag,
                                                    const std::string& last_modified) {
    net::HttpRequest request;
    request.url = url_;
    request.url_is_secret = true;  // a private feed's address is its password
    request.headers.push_back({"Accept", "text/calendar"});
    if (!etag.empty())
        request.headers.push_back({"If-None-Match", etag});
    if (!last_modified.empty())
        request.headers.push_back({"If-Modified-Since", last_modified});
    net::RedirectPolicy redirects;
    redirects.max_redirects = kMaxFeedRedirects;
    auto followed = net::send_following(*http_, std::move(request), redirects);
    if (!followed.ok())
        return followed.error();
    return std::move(followed->response);
}

// The feed is read here too: a mistyped or dead link fails when it is connected (and in a
// health check) instead of at the first sync, and the label is the feed's X-WR-CALNAME.
Result<std::vector<Calendar>> IcsFeedProvider::list_calendars() {
    auto response = get_feed({}, {});
    if (!response.ok())
        return response.error();
    const std::string where = "GET " + net::redact_secret_url(url_);
    if (response->status != 200)
        return net::http_status_error(response->status, where);
    IcsReadOptions read;
    read.calendar_id = options_.calendar_id;
    auto feed = read_ics(response->body, read);
    if (!feed.ok())
        return make_error(ErrorCode::parse,
                          where + ": not an iCalendar feed: " + feed.error().message);
    feed_name_ = feed->name;
    Calendar c;
    c.id = options_.calendar_id;
    c.name = !options_.name.empty() ? options_.name
                                    : (!feed_name_.empty() ? feed_name_ : options_.calendar_id);
    c.can_write = false;
    return std::vector<Calendar>{c};
}

Result<ChangeSet> IcsFeedProvider::fetch_changes(const std::string& calendar_id,
                                                 const std::string& cursor, const TimeRange&) {
    if (calendar_id != options_.calendar_id)
        return make_error(ErrorCode::not_found, "no calendar '" + calendar_id + "' in this feed");
    const FeedCursor before = FeedCursor::parse(cursor);
    auto fetched = get_feed(before.etag, before.last_modified);
    if (!fetched.ok())
        return fetched.error();
    const net::HttpResponse* response = &fetched.value();
    const std::string where = "GET " + net::redact_secret_url(url_);
    ChangeSet changes;
    if (response->status == 304 && !cursor.empty()) {
        changes.unchanged = true;
        changes.next_cursor = cursor;
        return changes;
    }
    if (response->status != 200)
        return net::http_status_error(response->status, where);

    IcsReadOptions read;
    read.calendar_id = calendar_id;
    read.owner_addresses = options_.owner_addresses;
    auto feed = read_ics(response->body, read);
    if (!feed.ok())
        return make_error(ErrorCode::parse, where + ": " + feed.error().message);
    feed_name_ = feed->name;

    FeedCursor after;
    if (const std::string* etag = response->header("etag"))
        after.etag = *etag;
    if (const std::string* lm = response->header("last-modified"))
        after.last_modified = *lm;
    changes.full_resync = cursor.empty();
    for (Event& e : feed->events) {
        const std::string fp = fingerprint(e);
        after.fingerprints[e.id] = fp;
        auto old = before.fingerprints.find(e.id);
        if (changes.full_resync || old == before.fingerprints.end() || old->second != fp)
            changes.upserts.push_back(std::move(e));
    }
    // An event that became unreadable keeps its last good version rather than vanishing.
    for (const EventError& bad : feed->errors) {
        auto old = before.fingerprints.find(bad.event_id);
        if (old != before.fingerprints.end())
            after.fingerprints.insert(*old);
    }
    if (!changes.full_resync) {
        for (const auto& [id, fp] : before.fingerprints) {
            if (after.fingerprints.count(id) == 0)
                changes.removals.push_back(id);
        }
    }
    changes.errors = std::move(feed->errors);
    changes.next_cursor = after.text();
    return changes;
}

Result<RemoteEvent> IcsFeedProvider::create_event(const std::string&, const Event&) {
    return make_error(ErrorCode::invalid_argument, "an ICS feed is read-only");
}

Result<RemoteEvent> IcsFeedProvider::update_event(const std::string&, const RemoteEvent&,
                                                  const Event&) {
    return make_error(ErrorCode::invalid_argument, "an ICS feed is read-only");
}

Result<void> IcsFeedProvider::delete_event(const std::string&, const RemoteEvent&) {
    return make_error(ErrorCode::invalid_argument, "an ICS feed is read-only");
}

}  // namespace calsync::providers::ics_feed
