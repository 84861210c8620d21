// Connecting, reconnecting and disconnecting accounts, and choosing their calendars.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/bounded_json.hpp"
#include "core/provider_config.hpp"
#include "core/text_encoding.hpp"
#include "core/user_terms.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"
#include "providers/provider_factory.hpp"
#include "providers/provider_kinds.hpp"
#include "sync/feed_secret.hpp"
#include "sync/push.hpp"
#include "sync/service_state.hpp"

namespace calsync {
namespace {

constexpr std::chrono::minutes kAuthorizationLifetime{10};

bool is_oauth(ProviderKind kind) {
    return providers::capabilities_of(kind).oauth;
}

std::string new_connection_id(ProviderKind kind) {
    return std::string(to_string(kind)) + "-" + encoding::hex(net::random_bytes(6));
}

// Who the account is, for a reconnect to find its old connection: the server and user
// for CalDAV and iCloud (a feed's is feed_account).
std::string account_of(ProviderKind kind, const std::string& settings_json) {
    const rapidjson::Document doc = json::parse_bounded_or_null(settings_json);
    const auto text = [&doc](const char* name) -> std::string {
        return doc.IsObject() && doc.HasMember(name) && doc[name].IsString() ? doc[name].GetString()
                                                                             : "";
    };
    if (kind == ProviderKind::icloud)
        return text("username");
    return text("username") + " at " + net::redact_url(text("url"));
}

// Connection ids appear in slot calendar keys ("<connection>/<calendar>") and in file
// names hosts make from them.
Result<std::string> connection_id_or_new(const std::string& id, ProviderKind kind) {
    if (id.empty())
        return new_connection_id(kind);
    const bool fits = id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
                          return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
                      });
    if (!fits)
        return member_error("connection_id", "expected 1-128 letters, digits, '-', '_' or '.'");
    return id;
}

// `kind` signs in with OAuth (is_oauth).
json::OAuthConfig oauth_config(ProviderKind kind, const SyncSettings& settings) {
    static const OAuthClientSettings kNone;
    const OAuthClientSettings* client = oauth_client_of(settings, kind);
    const OAuthClientSettings& s = client != nullptr ? *client : kNone;
    json::OAuthConfig c;
    c.service = kind == ProviderKind::google ? json::OAuthConfig::Service::google
                                             : json::OAuthConfig::Service::microsoft;
    c.client_id = s.client_id;
    c.client_secret = s.client_secret;
    c.redirect_uri = s.redirect_uri;
    c.tenant = s.tenant;
    c.authority_url = s.authority_url;
    c.authorization_url = s.authorization_url;
    c.token_url = s.token_url;
    c.revocation_url = s.revocation_url;
    c.device_authorization_url = s.device_authorization_url;
    c.exports = true;  // a calendar may take exports later; asking again would be worse
    c.network = network_config(settings.network);
    return c;
}

Result<std::shared_ptr<net::OAuthFlow>> oauth_flow(ProviderKind kind,
                                                   const SyncSettings& settings) {
    const json::OAuthConfig config = oauth_config(kind, settings);
    if (config.client_id.empty())
        return make_error(ErrorCode::invalid_argument,
                          std::string("settings.") + to_string(kind) +
                              ".client_id: no OAuth client is configured for this service");
    return providers::make_oauth_flow(config, providers::make_http_client(config.network),
                                      settings.host_key);
}

}  // namespace

struct ConnectionDraft {
    ConnectionRecord record;
    std::string credentials_json;
};

// A connection's settings with what its provider learned (CalendarProvider::
// learned_settings) written over them; the settings as they were when there is nothing
// new.
static std::string with_learned(const std::string& settings_json, const CalendarProvider& p) {
    const std::string learned_json = p.learned_settings();
    if (learned_json.empty())
        return settings_json;
    auto settings = json::parse_bounded(settings_json, json::InvalidUtf8::replace);
    auto learned = json::parse_bounded(learned_json, json::InvalidUtf8::replace);
    if (!settings.ok() || !settings->IsObject() || !learned.ok() || !learned->IsObject())
        return settings_json;
    auto& a = settings->GetAllocator();
    for (auto& m : learned->GetObject()) {
        settings->RemoveMember(m.name);
        settings->AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    settings->Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

// Builds a provider for a connection not stored yet and lists its calendars: nothing is
// stored unless the account answers. Credentials the provider refreshes meanwhile are
// kept in the draft.
static Result<std::vector<Calendar>> probe(SyncService::State& s, ConnectionDraft& draft) {
    const auto deadline = s.operation_deadline();
    auto rotated = std::make_shared<std::string>();
    ProviderContext context{draft.record, draft.credentials_json,
                            [rotated](const std::string& fresh) { *rotated = fresh; }, s.cancel};
    auto provider = s.options.provider_factory ? s.options.provider_factory(context)
                                               : make_default_provider(context, s.options.settings,
                                                                       s.options.request_budgets);
    if (!provider.ok())
        return provider.error();
    auto calendars = provider.value()->list_calendars();
    if (!rotated->empty())
        draft.credentials_json = *rotated;
    // What the connection's later providers need not find again (a CalDAV calendar home:
    // discovery once, at connect).
    if (calendars.ok())
        draft.record.settings_json = with_learned(draft.record.settings_json, *provider.value());
    return calendars;
}

// Stores a connection whose account answered, re-attaching an earlier connection of the
// same account (its id and export map) when there is one.
static Result<std::string> store_connection(SyncService::State& s, ConnectionDraft draft,
                                            const std::vector<Calendar>& calendars) {
    auto earlier = s.store->find_connection(draft.record.kind, draft.record.account);
    if (!earlier.ok())
        return earlier.error();
    if (earlier.value()) {
        draft.record.id = earlier.value()->id;
        draft.record.created_at = earlier.value()->created_at;
    }
    // Sealed for the id it is stored under (the earlier connection's, on a reconnect).
    auto sealed = s.seal_credentials(draft.record.id, draft.credentials_json);
    if (!sealed.ok())
        return sealed.error();
    draft.record.sealed_credentials = sealed.value();
    draft.record.state = ConnectionState::active;
    const std::string id = draft.record.id;
    auto stored = s.store->transaction([&]() -> Result<void> {
        auto put = s.store->put_connection(draft.record);
        if (!put.ok())
            return put;
        for (const Calendar& c : calendars) {
            auto r = s.store_listed_calendar(id, c);
            if (!r.ok())
                return r;
        }
        SyncStatus status;
        auto old = s.store->get_connection_status(id);
        if (old.ok())
            status = old.value();
        status.next_due = s.now();  // sync at once after connecting
        if (status.state == SyncState::needs_reauthorisation)
            status.state = SyncState::never_synced;
        return s.store->put_connection_status(id, status);
    });
    if (!stored.ok())
        return stored.error();
    if (s.options.connection_due)
        s.options.connection_due(id, s.now());  // a login: due at once, for any worker
    s.forget_live(id);  // the next sync builds the provider with the new credentials
    s.log(LogLevel::info, "connection " + id + " (" + to_string(draft.record.kind) + ", " +
                              draft.record.account + ") connected with " +
                              counted(calendars.size(), "calendar"));
    return id;
}

Result<std::string> SyncService::add_connection(ProviderKind kind, const std::string& settings_json,
                                                const std::string& credentials_json,
                                                const std::string& connection_id) {
    if (is_oauth(kind))
        return make_error(ErrorCode::invalid_argument,
                          member_message("kind", std::string("\"") + to_string(kind) +
                                                     "\" accounts connect by signing in with OAuth "
                                                     "(calsync_client_authorize_begin)"));
    auto id = connection_id_or_new(connection_id, kind);
    if (!id.ok())
        return id.error();
    ConnectionDraft draft;
    draft.record.id = id.value();
    draft.record.kind = kind;
    draft.record.settings_json = settings_json.empty() ? "{}" : settings_json;
    draft.record.created_at = s_->now();
    draft.credentials_json = credentials_json.empty() ? "{}" : credentials_json;
    if (kind == ProviderKind::ics_feed) {
        // The address is the feed's password: sealed with the credentials, never stored
        // or shown in clear.
        FeedSecret feed = split_feed_secret(draft.record.settings_json, draft.credentials_json);
        draft.record.settings_json = feed.settings_json;
        draft.credentials_json = feed.credentials_json;
        draft.record.account = feed_account(*s_, feed.url);
    } else {
        draft.record.account = account_of(kind, draft.record.settings_json);
    }
    auto calendars = probe(*s_, draft);
    if (!calendars.ok())
        return calendars.error();
    return store_connection(*s_, std::move(draft), calendars.value());
}

Result<AuthorizationStart> SyncService::begin_authorization(ProviderKind kind,
                                                            const std::string& connection_id) {
    if (!is_oauth(kind))
        return make_error(ErrorCode::invalid_argument,
                          member_message("kind", std::string("\"") + to_string(kind) +
                                                     "\" does not sign in with OAuth"));
    auto flow = oauth_flow(kind, s_->options.settings);
    if (!flow.ok())
        return flow.error();
    auto chosen = connection_id_or_new(connection_id, kind);
    if (!chosen.ok())
        return chosen.error();
    const std::string id = chosen.value();
    const Instant now = s_->now();
    const auto request = flow.value()->begin(id, now);
    // The verifier is a secret: sealed, with the service it belongs to, for this state.
    PendingAuthorization pending{request.state, id, "", now + kAuthorizationLifetime};
    auto sealed = s_->seal(std::string(to_string(kind)) + "\n" + request.code_verifier,
                           kSealedCodeVerifier, sealed_owner(pending));
    if (!sealed.ok())
        return sealed.error();
    pending.sealed_code_verifier = sealed.value();
    auto put = s_->store->put_pending_authorization(pending);
    if (!put.ok())
        return put.error();
    return AuthorizationStart{id, request.url, request.state};
}

static Result<std::string> finish_oauth(SyncService::State& s, ProviderKind kind,
                                        const std::string& connection_id,
                                        const json::TokensConfig& tokens) {
    auto id = connection_id_or_new(connection_id, kind);
    if (!id.ok())
        return id.error();
    ConnectionDraft draft;
    draft.record.id = id.value();
    draft.record.kind = kind;
    draft.record.settings_json = "{}";
    draft.record.created_at = s.now();
    draft.credentials_json = R"({"tokens": )" + json::write_tokens(tokens) + "}";
    // A permission left unticked on the consent screen: refused here, saying which, rather
    // than at the first sync (covers the browser sign-in, tokens a host brings, the device
    // flow).
    auto permitted =
        providers::check_granted_scope(oauth_config(kind, s.options.settings), tokens.scope);
    if (!permitted.ok())
        return permitted.error();
    auto calendars = probe(s, draft);
    if (!calendars.ok())
        return calendars.error();
    // The account is named by its primary calendar: by the owner's address where the
    // service gives one (Graph), else by the calendar's id (Google's is the account's
    // address); without a primary calendar, by the first one the account lists.
    const auto primary = std::find_if(calendars->begin(), calendars->end(),
                                      [](const Calendar& c) { return c.is_primary; });
    const Calendar* named = primary != calendars->end() ? &*primary
                            : calendars->empty()        ? nullptr
                                                        : &calendars->front();
    draft.record.account = named == nullptr        ? draft.record.id
                           : !named->owner.empty() ? named->owner
                                                   : named->id;
    return store_connection(s, std::move(draft), calendars.value());
}

Result<std::string> SyncService::complete_authorization(const std::string& state,
                                                        const std::string& code) {
    const Instant now = s_->now();
    // Taking the pending authorization spends the state: a replay finds nothing.
    auto pending = s_->store->take_pending_authorization(state, now);
    if (!pending.ok())
        return make_error(ErrorCode::auth,
                          "authorization state refused: unknown, expired or already used");
    auto clear =
        s_->unseal(pending->sealed_code_verifier, kSealedCodeVerifier, sealed_owner(*pending));
    if (!clear.ok())
        return clear.error();
    const std::string& text = clear.value();
    const auto newline = text.find('\n');
    const auto kind = provider_kind_from_string(text.substr(0, newline));
    if (newline == std::string::npos || !kind)
        return make_error(ErrorCode::internal, "a pending authorization is unreadable");
    auto flow = oauth_flow(*kind, s_->options.settings);
    if (!flow.ok())
        return flow.error();
    const auto deadline = s_->operation_deadline();  // the code exchange and the probe
    // The signature and expiry of the state itself, and that it names this connection.
    auto who = flow.value()->accept_state(state, now);
    if (!who.ok())
        return who.error();
    if (who.value() != pending->connection_id)
        return make_error(ErrorCode::auth, "authorization state refused: altered");
    auto tokens = flow.value()->exchange(code, text.substr(newline + 1), now);
    if (!tokens.ok())
        return tokens.error();
    return finish_oauth(*s_, *kind, pending->connection_id,
                        providers::to_tokens_config(tokens.value()));
}

Result<std::string> SyncService::add_oauth_connection(ProviderKind kind,
                                                      const std::string& tokens_json,
                                                      const std::string& connection_id) {
    if (!is_oauth(kind))
        return make_error(ErrorCode::invalid_argument,
                          member_message("kind", std::string("\"") + to_string(kind) +
                                                     "\" does not sign in with OAuth"));
    auto tokens = json::parse_tokens(tokens_json);
    if (!tokens.ok())
        return tokens.error();
    return finish_oauth(*s_, kind, connection_id, tokens.value());
}

// Revokes the OAuth grant of `connection` at its service (RFC 7009), or says why it cannot
// be: the caller then disconnects nothing, so a person told "access withdrawn" can trust
// it, and one told otherwise still has the connection to try again.
static Result<void> revoke_grant(const SyncService::State& s, const ConnectionRecord& connection) {
    const std::string nothing_done =
        "; nothing was disconnected: disconnect without revoking, then ";
    if (!is_oauth(connection.kind))
        return make_error(ErrorCode::invalid_argument,
                          "connection " + connection.id + " (" + to_string(connection.kind) +
                              ") signs in with a password or a link, not a grant calsync can "
                              "revoke" +
                              nothing_done +
                              "change the password or reset the link at the service to "
                              "withdraw its access");
    if (connection.sealed_credentials.empty())
        return make_error(ErrorCode::invalid_argument,
                          "connection " + connection.id +
                              " holds no tokens to revoke (it is disconnected already); "
                              "withdraw calsync's access in the account's settings");
    auto flow = oauth_flow(connection.kind, s.options.settings);
    if (!flow.ok())
        return flow.error();
    if (!flow.value()->can_revoke())
        // Microsoft's identity platform has no RFC 7009 endpoint.
        return make_error(ErrorCode::invalid_argument,
                          std::string("Microsoft has no endpoint to revoke calsync's access "
                                      "(microsoft.revocation_url names one where there is)") +
                              nothing_done +
                              "remove calsync under https://account.live.com/consent/Manage "
                              "(a personal account) or https://myapps.microsoft.com (a work or "
                              "school account)");
    auto clear = s.open_credentials(connection);
    if (!clear.ok())
        return clear.error();
    const rapidjson::Document doc = json::parse_bounded_or_null(*clear);
    const rapidjson::Value* tokens =
        doc.IsObject() && doc.HasMember("tokens") && doc["tokens"].IsObject() ? &doc["tokens"]
                                                                              : nullptr;
    // Revoking the refresh token ends the grant; an access token only itself.
    std::string token;
    for (const char* which : {"access_token", "refresh_token"}) {
        if (tokens != nullptr && tokens->HasMember(which) && (*tokens)[which].IsString() &&
            (*tokens)[which].GetStringLength() > 0)
            token = (*tokens)[which].GetString();
    }
    if (token.empty())
        return make_error(ErrorCode::internal,
                          "connection " + connection.id + ": the stored tokens are unreadable");
    auto revoked = flow.value()->revoke(token);
    if (!revoked.ok()) {
        Error e = revoked.error();
        e.message = "revoking calsync's access failed: " + e.message +
                    "; nothing was disconnected: try again, or disconnect without revoking";
        return e;
    }
    s.log(LogLevel::info, "connection " + connection.id + ": the grant was revoked");
    return {};
}

Result<void> SyncService::disconnect(const std::string& connection_id, bool revoke) {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    auto live = s_->live_connection(connection_id);
    std::lock_guard<std::mutex> turn(live->sync_mutex);
    auto connection = s_->store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    auto deadline = s_->operation_deadline();
    if (revoke) {
        auto revoked = revoke_grant(*s_, connection.value());
        if (!revoked.ok())
            return revoked;
    }
    auto calendars = s_->store->list_calendars(connection_id);
    if (!calendars.ok())
        return calendars.error();
    // While the tokens still work (after a revoke they may not: then the channels lapse
    // at their expiry, and what they still deliver is ignored as an unknown channel).
    stop_push_channels(*s_, *live, connection.value());
    auto ready = s_->engine_ready();  // the freed slots are told from what the store held
    if (!ready.ok())
        return ready;
    auto done = s_->store->disconnect_connection(connection_id);
    if (!done.ok())
        return done.error();
    SlotDiff diff;
    {
        std::lock_guard<std::mutex> lock(s_->engine_mutex);
        for (const CalendarRecord& c : calendars.value()) {
            SlotDiff d =
                s_->engine.remove_calendar(slot_calendar_key(connection_id, c.calendar.id));
            s_->keep_slots(d);  // its own went with its calendars; copies elsewhere show now
            diff.removed.insert(diff.removed.end(), d.removed.begin(), d.removed.end());
        }
        s_->availability.reset();
    }
    live->provider.reset();
    deadline.reset();  // the host's callback is not part of this operation's time
    s_->log(LogLevel::info, "connection " + connection_id + " disconnected; " +
                                std::to_string(diff.removed.size()) + " blocked slots freed");
    s_->slots_changed(connection_id, diff);
    return {};
}

Result<std::vector<ConnectionRecord>> SyncService::connections() {
    return s_->store->list_connections();
}

Result<ConnectionCalendars> SyncService::list_calendars(const std::string& connection_id) {
    const DeferredCallbacks callbacks;  // a provider may log under the sync lock
    auto connection = s_->active_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    if (providers::traits_of(connection->kind).capabilities.one_fixed_calendar) {
        auto kept = s_->store->list_calendars(connection_id);
        if (!kept.ok())
            return kept.error();
        if (!kept->empty())
            return ConnectionCalendars{kept.value(), {}};
    }
    auto live = s_->live_connection(connection_id);
    std::lock_guard<std::mutex> turn(live->sync_mutex);
    const auto deadline = s_->operation_deadline();
    auto provider = s_->provider(*live, connection.value());
    if (!provider.ok())
        return provider.error();
    auto listed = provider.value()->list_calendars();
    if (!listed.ok())
        return listed.error();
    // It found the account somewhere else (a CalDAV home that moved): kept, for next time.
    const std::string settings = with_learned(connection->settings_json, *provider.value());
    if (settings != connection->settings_json) {
        ConnectionRecord moved = connection.value();
        moved.settings_json = settings;
        auto put = s_->store->put_connection(moved);
        if (!put.ok())
            return put.error();
    }
    std::set<std::string> present;
    for (const Calendar& c : listed.value()) {
        present.insert(c.id);
        auto put = s_->store_listed_calendar(connection_id, c);
        if (!put.ok())
            return put.error();
    }
    auto all = s_->store->list_calendars(connection_id);
    if (!all.ok())
        return all.error();
    ConnectionCalendars out;
    out.calendars = all.value();
    for (const CalendarRecord& c : out.calendars) {
        if (c.selected && present.count(c.calendar.id) == 0)
            out.gone.push_back(c.calendar.id);
    }
    return out;
}

Result<void> SyncService::select_calendar(const std::string& connection_id,
                                          const std::string& calendar_id,
                                          CalendarDirection direction,
                                          std::optional<CalendarPolicy> policy) {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    auto record = s_->store->get_calendar(connection_id, calendar_id);
    if (!record.ok())
        return make_error(ErrorCode::not_found, "connection " + connection_id +
                                                    " has no calendar " + calendar_id +
                                                    " (list its calendars first)");
    CalendarRecord r = record.value();
    if (exports(direction) && !r.calendar.can_write)
        return make_error(ErrorCode::invalid_argument,
                          "calendar \"" +
                              (r.calendar.name.empty() ? calendar_id : r.calendar.name) +
                              "\" is read-only for this account: it cannot take exports");
    if (r.selected && imports(r.direction) && !imports(direction)) {
        // Now export-only: notifications about it no longer make anything due, so its
        // channel goes as it would on deselecting.
        auto live = s_->live_connection(connection_id);
        std::lock_guard<std::mutex> turn(live->sync_mutex);
        auto connection = s_->store->get_connection(connection_id);
        if (connection.ok())
            stop_push_channels(*s_, *live, connection.value(), calendar_id);
    }
    r.selected = true;
    r.direction = direction;
    if (policy)
        r.policy = *policy;
    // The slots the host is told of are the difference from what the store held.
    auto ready = s_->engine_ready();
    if (!ready.ok())
        return ready;
    auto put = s_->store->put_calendar(r);
    if (!put.ok())
        return put.error();
    // That calendar only: its policy may have changed, so its events are expanded again.
    auto diff = s_->refresh_calendar(r);
    if (!diff.ok())
        return diff.error();
    s_->slots_changed(connection_id, diff.value());
    return s_->mark_due_now(connection_id);
}

Result<void> SyncService::deselect_calendar(const std::string& connection_id,
                                            const std::string& calendar_id) {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    auto live = s_->live_connection(connection_id);
    std::lock_guard<std::mutex> turn(live->sync_mutex);
    auto record = s_->store->get_calendar(connection_id, calendar_id);
    if (!record.ok())
        return record.error();
    CalendarRecord r = record.value();
    auto connection = s_->store->get_connection(connection_id);
    if (connection.ok())
        stop_push_channels(*s_, *live, connection.value(), calendar_id);
    r.selected = false;
    auto ready = s_->engine_ready();  // the freed slots are told from what the store held
    if (!ready.ok())
        return ready;
    auto put = s_->store->put_calendar(r);
    if (!put.ok())
        return put.error();
    // Drop its cache and cursor: selecting it again reads it afresh.
    ChangeSet clear;
    clear.full_resync = true;
    auto applied = s_->store->apply_changes(connection_id, calendar_id, clear);
    if (!applied.ok())
        return applied.error();
    SlotDiff diff;
    {
        std::lock_guard<std::mutex> lock(s_->engine_mutex);
        const std::string key = slot_calendar_key(connection_id, calendar_id);
        diff = s_->engine.remove_calendar(key);
        s_->keep_slots(diff, key, true);
        s_->availability.reset();
    }
    s_->slots_changed(connection_id, diff);
    return {};
}

}  // namespace calsync
