// The provider half of the C ABI: a calsync_provider owns one CalendarProvider and the HTTP
// client under it.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "calsync.h"
#include "calsync/engine.hpp"
#include "capi_support.hpp"
#include "core/provider_config.hpp"
#include "engine/json_codec.hpp"
#include "net/deadline.hpp"
#include "providers/provider_factory.hpp"

struct calsync_provider {
    std::unique_ptr<calsync::CalendarProvider> provider;
    // Google and Microsoft: the tokens, refreshed (and rotated) as the provider works.
    std::shared_ptr<calsync::net::OAuthSession> session;
    // The last listing, so a blocked-slots call can label slots without asking again.
    std::vector<calsync::Calendar> calendars;
    // network.sync_timeout_seconds: what one call may take, every request and retry wait.
    std::chrono::seconds call_timeout{300};
};

namespace {

using namespace calsync;
using namespace calsync::capi;

calsync_status provider_new(const char* config_json, calsync_provider** out) {
    if (config_json == nullptr)
        return null_argument("config_json");
    if (out == nullptr)
        return null_argument("provider");
    auto config = json::parse_provider_config(config_json);
    if (!config.ok())
        return fail(config.error());
    auto made = providers::make_provider(config.value());
    if (!made.ok())
        return fail(made.error());
    auto handle = std::make_unique<calsync_provider>();
    handle->provider = std::move(made->provider);
    handle->session = std::move(made->session);
    handle->call_timeout = std::chrono::seconds(config->network.sync_timeout_seconds);
    *out = handle.release();
    last_error.clear();
    return CALSYNC_OK;
}

calsync_status list_calendars(calsync_provider* p, char** out) {
    if (p == nullptr)
        return null_argument("provider");
    if (out == nullptr)
        return null_argument("response_json");
    const net::DeadlineScope deadline(p->call_timeout);
    auto calendars = p->provider->list_calendars();
    if (!calendars.ok())
        return fail(calendars.error());
    p->calendars = calendars.value();
    return hand_out(json::write_calendars_response(p->calendars), out);
}

calsync_status provider_tokens(calsync_provider* p, char** out) {
    if (p == nullptr)
        return null_argument("provider");
    if (out == nullptr)
        return null_argument("tokens_json");
    if (!p->session)
        return invalid_argument("provider", "only google and microsoft providers hold tokens");
    return hand_out(json::write_tokens(providers::to_tokens_config(p->session->tokens())), out);
}

const Calendar* find_calendar(const std::vector<Calendar>& calendars, const std::string& id) {
    auto it = std::find_if(calendars.begin(), calendars.end(),
                           [&](const Calendar& c) { return c.id == id; });
    return it == calendars.end() ? nullptr : &*it;
}

// The calendar's name, listing the account when it was not listed yet; called after a
// fetch because a feed learns its name from the feed itself.
std::string calendar_label(calsync_provider* p, const std::string& id) {
    if (find_calendar(p->calendars, id) == nullptr) {
        auto calendars = p->provider->list_calendars();
        if (calendars.ok())
            p->calendars = calendars.value();
    }
    const Calendar* c = find_calendar(p->calendars, id);
    return c != nullptr && !c->name.empty() ? c->name : id;
}

calsync_status blocked_slots(calsync_provider* p, const char* request_json, char** out) {
    if (p == nullptr)
        return null_argument("provider");
    if (request_json == nullptr)
        return null_argument("request_json");
    if (out == nullptr)
        return null_argument("response_json");
    auto request = json::parse_provider_slots_request(request_json);
    if (!request.ok())
        return fail(request.error());
    auto engine = engine_for(request->policy);
    if (!engine.ok())
        return fail(engine.error());
    const std::string& id = request->calendar_id;
    const net::DeadlineScope deadline(p->call_timeout);
    auto changes = p->provider->fetch_changes(id, "", request->policy.window);
    if (!changes.ok())
        return fail(changes.error());
    const std::string label = calendar_label(p, id);
    engine->set_calendar_label(id, label);
    engine->load(changes->upserts);
    return hand_out_slots(engine.value(), changes->errors, out);
}

}  // namespace

extern "C" {

calsync_status calsync_provider_new(const char* config_json, calsync_provider** provider) {
    return guarded("calsync_provider_new", [&] { return provider_new(config_json, provider); });
}

void calsync_provider_free(calsync_provider* provider) {
    delete provider;
}

calsync_status calsync_provider_list_calendars(calsync_provider* provider, char** response_json) {
    return guarded("calsync_provider_list_calendars",
                   [&] { return list_calendars(provider, response_json); });
}

calsync_status calsync_provider_tokens(calsync_provider* provider, char** tokens_json) {
    return guarded("calsync_provider_tokens",
                   [&] { return provider_tokens(provider, tokens_json); });
}

calsync_status calsync_provider_blocked_slots(calsync_provider* provider, const char* request_json,
                                              char** response_json) {
    return guarded("calsync_provider_blocked_slots",
                   [&] { return blocked_slots(provider, request_json, response_json); });
}

}  // extern "C"
