// SyncService::handle_push on what a host's endpoint receives: Google notifications (their
// X-Goog-* headers) and Graph ones (the URL's query and the JSON body), validation
// handshakes and lifecycle events, against a store holding channels of active, unselected
// and disconnected calendars.
//
// Input, as a request arrives:
//   the query string (without '?'), one line
//   header lines "Name: value", up to an empty line
//   the body
// Notifications are signed with the host key, which an input cannot forge; so that genuine
// ones reach past the check, a header value "@TOKEN <connection> <calendar>@" becomes the
// channel token calsync issued for the X-Goog-Channel-ID header's channel ("@TOKEN@": for
// connection g, calendar primary), and "@STATE@" in the body becomes the clientState of the
// query's connection and calendar.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "calsync/store.hpp"
#include "calsync/sync.hpp"
#include "core/text_encoding.hpp"
#include "fuzz_support.hpp"
#include "providers/google/google_push.hpp"
#include "providers/microsoft/graph_client.hpp"
#include "providers/microsoft/graph_push.hpp"

using namespace calsync;

namespace {

void must(const Result<void>& done) {
    if (!done.ok())
        fuzz::broken("the store refused the fixture: " + done.error().message);
}

ConnectionRecord connection_record(const std::string& id, ProviderKind kind,
                                   ConnectionState state) {
    ConnectionRecord c;
    c.id = id;
    c.kind = kind;
    c.account = id + "@example.com";
    c.settings_json = "{}";
    c.state = state;
    c.created_at = fuzz::fixed_now();
    return c;
}

void put_calendar(StateStore& store, const std::string& connection_id, const std::string& id,
                  bool selected) {
    CalendarRecord c;
    c.connection_id = connection_id;
    c.calendar.id = id;
    c.calendar.name = id;
    c.selected = selected;
    must(store.put_calendar(c));
}

void put_channel(StateStore& store, const std::string& id, const std::string& connection_id,
                 const std::string& calendar_id) {
    PushChannel p;
    p.channel_id = id;
    p.connection_id = connection_id;
    p.calendar_id = calendar_id;
    p.resource_id = "resource-" + id;
    p.expires_at = fuzz::fixed_now() + std::chrono::hours(72);
    must(store.put_push_channel(p));
}

// g (Google): primary selected and watched, other watched but not selected; m (Graph):
// calendar-1 selected and subscribed; d (Google): disconnected.
std::shared_ptr<StateStore> fixture_store() {
    std::shared_ptr<StateStore> store = make_memory_store();
    must(store->put_connection(
        connection_record("g", ProviderKind::google, ConnectionState::active)));
    must(store->put_connection(
        connection_record("m", ProviderKind::microsoft, ConnectionState::active)));
    must(store->put_connection(
        connection_record("d", ProviderKind::google, ConnectionState::disconnected)));
    put_calendar(*store, "g", "primary", true);
    put_calendar(*store, "g", "other", false);
    put_calendar(*store, "m", "calendar-1", true);
    put_channel(*store, "chan-g", "g", "primary");
    put_channel(*store, "chan-other", "g", "other");
    put_channel(*store, "sub-m", "m", "calendar-1");
    return store;
}

std::vector<std::string_view> words(std::string_view text) {
    const std::vector<std::string_view> parts = fuzz::split(text, " ");
    std::vector<std::string_view> out;
    std::copy_if(parts.begin(), parts.end(), std::back_inserter(out),
                 [](std::string_view w) { return !w.empty(); });
    return out;
}

std::string header_value(const PushRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name)
            return v;
    }
    return {};
}

// The signatures the placeholders stand for.
void sign(PushRequest* r) {
    for (auto& [name, value] : r->headers) {
        if (value.size() < 7 || value.compare(0, 6, "@TOKEN") != 0 || value.back() != '@')
            continue;
        const auto ids = words(std::string_view(value).substr(6, value.size() - 7));
        const std::string connection(ids.size() > 0 ? ids[0] : "g");
        const std::string calendar(ids.size() > 1 ? ids[1] : "primary");
        auto token = providers::google::channel_token(
            fuzz::host_key(), header_value(*r, "X-Goog-Channel-ID"), connection, calendar);
        if (token.ok())
            value = token.value();
    }
    const std::string state = providers::microsoft::client_state_for(
        fuzz::host_key(), encoding::query_value(r->query, "calsync_connection").value_or(""),
        encoding::query_value(r->query, "calsync_calendar").value_or(""));
    for (std::size_t at = r->body.find("@STATE@"); at != std::string::npos;
         at = r->body.find("@STATE@", at + state.size()))
        r->body.replace(at, 7, state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = fuzz::text_of(data, size);
    PushRequest request;
    request.method = "POST";
    request.query = std::string(fuzz::take_line(&text));
    for (net::Header& h : fuzz::take_headers(&text))
        request.headers.emplace_back(std::move(h.name), std::move(h.value));
    request.body = std::string(text);
    sign(&request);

    SyncServiceOptions options;
    options.settings.host_key = fuzz::host_key();
    options.store = fixture_store();
    options.provider_factory =
        [](const ProviderContext&) -> Result<std::unique_ptr<CalendarProvider>> {
        return make_error(ErrorCode::invalid_argument, "handle_push must not need a provider");
    };
    options.clock = [] { return fuzz::fixed_now(); };
    options.seed = 1;
    auto service = SyncService::open(std::move(options));
    if (!service.ok())
        fuzz::broken("the sync service did not open: " + service.error().message);
    (void)service.value()->handle_push(request);
    return 0;
}
