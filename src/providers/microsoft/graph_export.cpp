#include "providers/microsoft/graph_export.hpp"

#include <thread>

#include "providers/microsoft/graph_error.hpp"
#include "providers/microsoft/graph_event.hpp"

namespace calsync::providers::microsoft {
namespace {

// What one write attempt came to.
struct Attempt {
    enum class Kind {
        done,       // 2xx: `response` holds the answer
        throttled,  // 429: not processed; send again after `wait`
        ambiguous,  // may or may not have landed; find out before sending again
        failed,     // final: `error`
    };
    Kind kind = Kind::failed;
    net::HttpResponse response;
    Error error;
    std::optional<std::chrono::seconds> wait;
};

Attempt classify(Result<net::HttpResponse> result, const std::string& what) {
    Attempt a;
    if (!result.ok()) {
        // The HttpClient does not repeat a write; it hands back what the last try met.
        a.error = result.error();
        a.wait = a.error.retry_after;
        const int status = a.error.http_status;
        if (a.error.code == ErrorCode::network || status == 502 || status == 503 || status == 504)
            a.kind = Attempt::Kind::ambiguous;
        else if (status == 429)
            a.kind = Attempt::Kind::throttled;
        return a;
    }
    a.response = std::move(result).value();
    const int status = a.response.status;
    if (status >= 200 && status <= 299) {
        a.kind = Attempt::Kind::done;
    } else {
        a.error = graph_error(a.response, what);
        a.wait = a.error.retry_after;
        if (status == 429)
            a.kind = Attempt::Kind::throttled;
        else if (status >= 500)
            a.kind = Attempt::Kind::ambiguous;
    }
    return a;
}

// Waits before attempt `n` (1-based: after the n-th failure). False when the server asks
// for longer than the host lets a call wait.
bool wait_before_retry(const ExportOptions& options, const Attempt& a, int n) {
    std::chrono::milliseconds delay(500LL << std::min(n - 1, 6));
    if (a.wait) {
        if (*a.wait > options.max_retry_after)
            return false;
        delay = *a.wait;
    }
    if (options.sleep)
        options.sleep(delay);
    else
        std::this_thread::sleep_for(delay);
    return true;
}

// An event's id and the version to send as If-Match.
RemoteEvent remote_from(const rapidjson::Value& event) {
    return {string_member(event, "id"), event_version(event)};
}

Result<RemoteEvent> remote_of(const std::string& body, const std::string& what) {
    auto doc = parse_object(body, what);
    if (!doc.ok())
        return doc.error();
    RemoteEvent r = remote_from(doc.value());
    if (r.id.empty())
        return make_error(ErrorCode::parse, what + ": the answer names no event id");
    return r;
}

std::string event_path(const std::string& id) {
    return "/me/events/" + encode_component(id);
}

// The event as Graph holds it now, in UTC.
Result<net::HttpResponse> read_event(GraphClient& client, const std::string& id) {
    net::HttpRequest request;
    request.url = client.url(event_path(id)) +
                  query_string({{"$select", "id,changeKey,subject,start,end,isAllDay"}});
    request.headers = {{"Prefer", "outlook.timezone=\"UTC\""}};
    return client.send(request);
}

// Whether Graph's copy already says what `event` says (a PATCH that landed unseen).
bool holds_content(const net::HttpResponse& current, const Event& event) {
    auto doc = parse_object(current.body, "GET event");
    if (!doc.ok())
        return false;
    auto item = read_item(doc.value(), event.calendar_id);
    if (!item.ok() || item->kind != GraphItem::Kind::event)
        return false;
    const TimeZone& utc = *TimeZone::utc();
    const Event& held = item->event;
    const auto end_of = [&utc](const Event& e) {
        return e.end ? e.end->resolve(utc) : e.start.resolve(utc);
    };
    return held.summary == event.summary && held.start.resolve(utc) == event.start.resolve(utc) &&
           end_of(held) == end_of(event);
}

}  // namespace

Result<std::optional<RemoteEvent>> find_export(GraphClient& client, const std::string& calendar_id,
                                               const std::string& appointment_id) {
    // OData string literals double their single quotes.
    std::string literal;
    for (char c : appointment_id)
        literal += c == '\'' ? std::string("''") : std::string(1, c);
    auto response =
        client.get(client.url("/me/calendars/" + encode_component(calendar_id) + "/events") +
                   query_string({{"$filter", std::string("singleValueExtendedProperties/Any(ep: "
                                                         "ep/id eq '") +
                                                 kAppointmentPropertyId + "' and ep/value eq '" +
                                                 literal + "')"},
                                 {"$select", "id,changeKey"}}));
    if (!response.ok())
        return response.error();
    auto page = client.read_collection(response.value(), "GET events by appointment property");
    if (!page.ok())
        return page.error();
    if (page->items().Empty())
        return std::optional<RemoteEvent>{};
    return std::optional<RemoteEvent>(remote_from(page->items()[0]));
}

Result<RemoteEvent> create_export(GraphClient& client, const ExportOptions& options,
                                  const std::string& calendar_id, const Event& event) {
    if (event.export_marker.empty())
        return make_error(ErrorCode::invalid_argument,
                          "an exported event needs an export marker (the appointment id)");
    const std::string what = "POST event";
    net::HttpRequest request;
    request.method = "POST";
    request.url = client.url("/me/calendars/" + encode_component(calendar_id) + "/events");
    request.body = create_body(event, calendar_id);
    bool may_have_landed = false;
    Attempt last;
    for (int n = 1; n <= options.max_attempts; ++n) {
        if (may_have_landed) {
            auto found = find_export(client, calendar_id, event.export_marker);
            if (!found.ok())
                return found.error();
            if (found->has_value())
                return found->value();  // the earlier POST did land
        }
        last = classify(client.send(request), what);
        switch (last.kind) {
            case Attempt::Kind::done:
                return remote_of(last.response.body, what);
            case Attempt::Kind::failed:
                return last.error;
            case Attempt::Kind::ambiguous:
                may_have_landed = true;
                break;
            case Attempt::Kind::throttled:
                break;
        }
        if (n == options.max_attempts || !wait_before_retry(options, last, n))
            break;
    }
    if (may_have_landed) {
        // One last look, so a POST that landed on the final attempt is not reported lost.
        auto found = find_export(client, calendar_id, event.export_marker);
        if (found.ok() && found->has_value())
            return found->value();
    }
    return last.error;
}

Result<RemoteEvent> update_export(GraphClient& client, const ExportOptions& options,
                                  const RemoteEvent& existing, const Event& event) {
    const std::string what = "PATCH event";
    net::HttpRequest request;
    request.method = "PATCH";
    request.url = client.url(event_path(existing.id));
    request.body = update_body(event);
    if (!existing.etag.empty())
        request.headers.push_back({"If-Match", existing.etag});
    Attempt last;
    for (int n = 1; n <= options.max_attempts; ++n) {
        last = classify(client.send(request), what);
        if (last.kind == Attempt::Kind::done)
            return remote_of(last.response.body, what);
        if (last.kind == Attempt::Kind::failed && last.error.code == ErrorCode::conflict) {
            // Re-read, so the message says what Graph holds now; the caller re-plans.
            auto current = read_event(client, existing.id);
            std::string now = "unknown";
            if (current.ok() && current->status == 200) {
                auto remote = remote_of(current->body, "GET event");
                if (remote.ok())
                    now = remote->etag;
            }
            last.error.message += " (now " + now + ")";
            return last.error;
        }
        if (last.kind == Attempt::Kind::failed)
            return last.error;
        if (n == options.max_attempts || !wait_before_retry(options, last, n))
            break;
        if (last.kind == Attempt::Kind::ambiguous) {
            // Did the PATCH land? Then the version moved and the content is ours.
            auto current = read_event(client, existing.id);
            if (!current.ok())
                return current.error();
            if (current->status != 200)
                return graph_error(current.value(), "GET event");
            auto remote = remote_of(current->body, "GET event");
            if (!remote.ok())
                return remote.error();
            if (remote->etag != existing.etag && !existing.etag.empty()) {
                if (holds_content(current.value(), event))
                    return remote.value();
                return make_error(ErrorCode::conflict,
                                  what +
                                      ": the event was changed by someone else since calsync "
                                      "read it (now " +
                                      remote->etag + ")");
            }
        }
    }
    return last.error;
}

Result<void> delete_export(GraphClient& client, const RemoteEvent& existing) {
    net::HttpRequest request;
    request.method = "DELETE";
    request.url = client.url(event_path(existing.id));
    // No If-Match: the appointment is gone, so its copy goes, edited or not. DELETE is
    // idempotent, so the HttpClient repeats it after a 429, 503 or a reset.
    auto response = client.send(request);
    if (!response.ok())
        return response.error();
    const int status = response->status;
    if ((status >= 200 && status <= 299) || status == 404)
        return {};
    return graph_error(response.value(), "DELETE event");
}

}  // namespace calsync::providers::microsoft
