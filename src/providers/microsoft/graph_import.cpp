#include "providers/microsoft/graph_import.hpp"

#include <algorithm>
#include <optional>
#include <sstream>
#include <vector>

#include "net/http.hpp"
#include "providers/microsoft/graph_error.hpp"
#include "providers/microsoft/graph_event.hpp"

namespace calsync::providers::microsoft {
namespace {

constexpr std::string_view kDeltaTag = "delta\n";
constexpr std::string_view kListingTag = "view\n";
// What an all-day date may mean in instants somewhere on earth (UTC-12 .. UTC+14).
constexpr std::chrono::hours kDateSlack{14};

// The fields the engine reads; everything else Graph would send is left on the server.
constexpr const char* kSelect =
    "id,changeKey,subject,bodyPreview,location,start,end,isAllDay,showAs,isCancelled,"
    "responseStatus,isOrganizer,type,seriesMasterId,iCalUId,transactionId";

std::vector<net::Header> prefer_headers(const ImportOptions& options) {
    return {{"Prefer", "odata.maxpagesize=" + std::to_string(options.page_size)},
            {"Prefer", "outlook.timezone=\"" + options.time_zone + "\""}};
}

// The items of a round by id: a replayed or duplicated entity (Graph: "a single entity
// can be contained multiple times in the response") keeps only its latest state.
class RoundFold {
  public:
    void upsert(Event e) {
        const std::string id = e.id;
        state_[id] = std::move(e);
    }
    void remove(const std::string& id) { state_[id] = std::nullopt; }
    void apply_to(ChangeSet* changes, bool full) {
        for (auto& [id, event] : state_) {
            if (event)
                changes->upserts.push_back(std::move(*event));
            else if (!full)
                changes->removals.push_back(id);
        }
    }

  private:
    std::map<std::string, std::optional<Event>> state_;
};

bool overlaps(const Event& e, const TimeRange& window) {
    const TimeZone& utc = *TimeZone::utc();
    Instant start = e.start.resolve(utc);
    Instant end = e.end ? e.end->resolve(utc) : start;
    if (e.start.is_date()) {
        start -= kDateSlack;
        end += kDateSlack;
    }
    // A zero-length event at the window start still belongs to it.
    return start < window.end && (end > window.start || (end == start && start >= window.start));
}

// Reads a page's items into `fold`; unreadable events go to `changes->errors`.
void fold_items(const GraphPage& page, const std::string& calendar_id, const TimeRange& window,
                RoundFold* fold, ChangeSet* changes) {
    for (const auto& item : page.items().GetArray()) {
        auto read = read_item(item, calendar_id);
        if (!read.ok()) {
            changes->errors.push_back(
                {calendar_id, string_member(item, "id"), read.error().message});
            continue;
        }
        switch (read->kind) {
            case GraphItem::Kind::removed:
                fold->remove(read->id);
                break;
            case GraphItem::Kind::series_master:
                break;
            case GraphItem::Kind::event:
                // Graph reports changes to events outside the window too; one we hold has
                // left the window, so it goes, and one we never held stays unknown.
                if (overlaps(read->event, window))
                    fold->upsert(std::move(read->event));
                else
                    fold->remove(read->id);
                break;
        }
    }
}

Error too_many_pages(const std::string& what, int pages) {
    return make_error(ErrorCode::limit_exceeded,
                      what + ": the round did not end after " + std::to_string(pages) + " pages");
}

std::string window_query(const TimeRange& window) {
    return query_string({{"startDateTime", format_rfc3339(window.start)},
                         {"endDateTime", format_rfc3339(window.end)}});
}

struct DeltaCursor {
    TimeRange window;
    std::string link;
};

std::optional<DeltaCursor> read_delta_cursor(const std::string& cursor) {
    if (!is_delta_cursor(cursor))
        return std::nullopt;
    std::istringstream in(cursor.substr(kDeltaTag.size()));
    std::int64_t start = 0;
    std::int64_t end = 0;
    DeltaCursor c;
    if (!(in >> start >> end) || !(in >> std::ws) || !std::getline(in, c.link) || c.link.empty())
        return std::nullopt;
    c.window = {instant_from_unix(start), instant_from_unix(end)};
    return c;
}

}  // namespace

bool is_delta_cursor(const std::string& cursor) {
    return cursor.rfind(kDeltaTag, 0) == 0;
}

bool is_listing_cursor(const std::string& cursor) {
    return cursor.rfind(kListingTag, 0) == 0;
}

Result<ChangeSet> delta_changes(GraphClient& client, const ImportOptions& options,
                                const std::string& calendar_id, const std::string& cursor,
                                const TimeRange& window) {
    auto kept = read_delta_cursor(cursor);
    // A window that reaches past the one the delta state was made for needs a new round.
    const bool usable = kept && client.is_own_link(kept->link) &&
                        window.start >= kept->window.start && window.end <= kept->window.end;
    TimeRange round_window{window.start, window.end + options.lookahead};
    const std::string first = client.url("/me/calendarView/delta") + window_query(round_window);
    std::string url = usable ? kept->link : first;
    if (usable)
        round_window = kept->window;
    ChangeSet changes;
    changes.full_resync = !usable;
    RoundFold fold;
    bool restarted = false;
    for (int pages = 0;; ++pages) {
        if (pages >= options.max_pages)
            return too_many_pages("calendarView/delta", pages);
        auto response = client.get(url, prefer_headers(options));
        if (!response.ok())
            return response.error();
        if (is_sync_reset(response.value())) {
            // Graph "delta query": 410 or syncStateNotFound means the state is gone; the
            // calendar is read again from the start and replaces what was held.
            if (restarted)
                return graph_error(response.value(), "calendarView/delta");
            restarted = true;
            changes = ChangeSet{};
            changes.full_resync = true;
            fold = RoundFold{};
            round_window = {window.start, window.end + options.lookahead};
            url = client.url("/me/calendarView/delta") + window_query(round_window);
            continue;
        }
        auto page = client.read_collection(response.value(), "calendarView/delta");
        if (!page.ok())
            return page.error();
        fold_items(page.value(), calendar_id, round_window, &fold, &changes);
        if (!page->next_link.empty()) {
            url = page->next_link;  // verbatim: it carries the window and the state
            continue;
        }
        if (page->delta_link.empty())
            return make_error(ErrorCode::parse,
                              "calendarView/delta: a page with neither nextLink nor deltaLink");
        changes.next_cursor = std::string(kDeltaTag) + std::to_string(to_unix(round_window.start)) +
                              "\n" + std::to_string(to_unix(round_window.end)) + "\n" +
                              page->delta_link;
        break;
    }
    fold.apply_to(&changes, changes.full_resync);
    return changes;
}

Result<ChangeSet> listing_changes(GraphClient& client, const ImportOptions& options,
                                  const std::string& calendar_id, const std::string& cursor,
                                  const TimeRange& window) {
    // An unreadable cursor is read as none: a full resync replaces whatever was held.
    const auto kept = decode_change_keys(cursor);
    const bool full = !kept.has_value();
    const std::map<std::string, std::string> before = kept ? *kept : decltype(before){};
    std::string url =
        client.url("/me/calendars/" + encode_component(calendar_id) + "/calendarView") +
        window_query(window) + "&$select=" + encode_component(kSelect) + "&$expand=" +
        encode_component(std::string("singleValueExtendedProperties($filter=id eq '") +
                         kAppointmentPropertyId + "')");
    ChangeSet changes;
    changes.full_resync = full;
    RoundFold fold;
    for (int pages = 0; !url.empty(); ++pages) {
        if (pages >= options.max_pages)
            return too_many_pages("calendarView", pages);
        auto response = client.get(url, prefer_headers(options));
        if (!response.ok())
            return response.error();
        auto page = client.read_collection(response.value(), "calendarView");
        if (!page.ok())
            return page.error();
        fold_items(page.value(), calendar_id, window, &fold, &changes);
        url = page->next_link;
    }
    ChangeSet listed;
    fold.apply_to(&listed, true);
    std::map<std::string, std::string> after;
    for (Event& e : listed.upserts) {
        after[e.id] = e.etag;
        auto old = before.find(e.id);
        if (full || old == before.end() || old->second != e.etag)
            changes.upserts.push_back(std::move(e));
    }
    for (const auto& [id, key] : before) {
        if (after.count(id) == 0)
            changes.removals.push_back(id);
    }
    changes.next_cursor = encode_change_keys(after);
    return changes;
}

std::string encode_change_keys(const std::map<std::string, std::string>& keys) {
    std::string out(kListingTag);
    const std::string* previous = nullptr;
    for (const auto& [id, key] : keys) {
        std::size_t shared = 0;
        if (previous != nullptr) {
            const std::size_t limit = std::min(previous->size(), id.size());
            while (shared < limit && (*previous)[shared] == id[shared])
                ++shared;
        }
        out += std::to_string(shared) + "\t" + id.substr(shared) + "\t" + key + "\n";
        previous = &id;
    }
    return out;
}

std::optional<std::map<std::string, std::string>> decode_change_keys(const std::string& cursor) {
    std::map<std::string, std::string> out;
    if (!is_listing_cursor(cursor))
        return std::nullopt;
    std::istringstream in(cursor.substr(kListingTag.size()));
    std::string line;
    std::string previous;
    while (std::getline(in, line)) {
        const auto a = line.find('\t');
        const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
        if (b == std::string::npos)
            return std::nullopt;
        std::size_t shared = 0;
        try {
            shared = std::stoul(line.substr(0, a));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        if (shared > previous.size())
            return std::nullopt;
        std::string id = previous.substr(0, shared) + line.substr(a + 1, b - a - 1);
        out[id] = line.substr(b + 1);
        previous = std::move(id);
    }
    return out;
}

}  // namespace calsync::providers::microsoft
