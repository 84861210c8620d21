// Secrets at rest: every value sealed in the store is bound to its purpose and its row
// (AES-GCM associated data), so copying one connection's sealed credentials into another
// row gives the second connection nothing to send; and the migration of stores written
// before that, and before feed addresses were treated as the secrets they are.
#include <algorithm>

#include "net/crypto.hpp"
#include "net/http.hpp"
#include "net/origin.hpp"
#include "net/url_guard.hpp"
#include "sync/feed_secret.hpp"
#include "sync/service_state.hpp"

namespace calsync {
namespace {

// The host key is any secret of at least 32 bytes; AES-256-GCM takes exactly 32. The
// sealing key is derived from it under a label of its own, which also keeps it apart from
// the host key itself, the key that signs OAuth states and push channel tokens.
std::string sealing_key(const std::string& host_key) {
    return net::hmac_sha256(host_key, "calsync: sealing credentials at rest, v1");
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
    if (what.empty())
        return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

// Messages stored before feed addresses were secrets show them (less the query).
bool scrub(std::string& message, const std::string& url) {
    const std::string before = message;
    const std::string shown = net::redact_secret_url(url);
    auto normalized = net::normalize_user_url(url);
    for (const std::string& form : {url, net::redact_url(url)})
        replace_all(message, form, shown);
    if (normalized.ok()) {
        replace_all(message, normalized.value(), shown);
        replace_all(message, net::redact_url(normalized.value()), shown);
    }
    return message != before;
}

Result<void> scrub_statuses(StateStore& store, const std::string& connection_id,
                            const std::string& url) {
    auto status = store.get_connection_status(connection_id);
    if (status.ok() && scrub(status->last_error, url)) {
        auto put = store.put_connection_status(connection_id, status.value());
        if (!put.ok())
            return put;
    }
    auto calendars = store.list_calendar_statuses(connection_id);
    if (!calendars.ok())
        return calendars.error();
    for (auto [calendar_id, s] : calendars.value()) {
        if (!scrub(s.last_error, url))
            continue;
        auto put = store.put_calendar_status(connection_id, calendar_id, s);
        if (!put.ok())
            return put;
    }
    return {};
}

// One stored connection brought up to date; `changed` says whether it must be written.
Result<bool> migrate_connection(const SyncService::State& s, ConnectionRecord& c) {
    bool changed = false;
    std::optional<std::string> credentials;
    const std::string key = sealing_key(s.options.settings.host_key);
    if (net::is_sealed_unbound(c.sealed_credentials)) {
        auto clear = net::unseal_unbound(c.sealed_credentials, key);
        if (!clear.ok()) {
            // Sealed under another host key: it stays as it is, and using it says so.
            s.log(LogLevel::warning, "connection " + c.id +
                                         ": its stored credentials cannot be opened with "
                                         "this host key; they were left as they are");
            return false;
        }
        credentials = std::move(clear).value();
        changed = true;
    }
    if (c.kind == ProviderKind::ics_feed) {
        FeedSecret moved = split_feed_secret(c.settings_json, credentials.value_or("{}"));
        if (!moved.url.empty()) {
            if (!credentials && !c.sealed_credentials.empty()) {
                auto clear = s.open_credentials(c);
                if (!clear.ok())
                    return clear.error();
                moved = split_feed_secret(c.settings_json, clear.value());
            }
            c.settings_json = moved.settings_json;
            c.account = feed_account(s, moved.url);
            // A disconnected feed keeps no credentials: its address is simply dropped, and
            // connecting it again brings it anew.
            if (!c.sealed_credentials.empty())
                credentials = moved.credentials_json;
            auto scrubbed = scrub_statuses(*s.store, c.id, moved.url);
            if (!scrubbed.ok())
                return scrubbed.error();
            changed = true;
        }
    }
    if (credentials) {
        auto sealed = s.seal_credentials(c.id, *credentials);
        if (!sealed.ok())
            return sealed.error();
        c.sealed_credentials = sealed.value();
    }
    return changed;
}

}  // namespace

Result<std::string> SyncService::State::seal(const std::string& secret, std::string_view purpose,
                                             const std::string& owner) const {
    return net::seal(secret, sealing_key(options.settings.host_key), {purpose, owner});
}

Result<std::string> SyncService::State::unseal(const std::string& sealed, std::string_view purpose,
                                               const std::string& owner) const {
    auto clear = net::unseal(sealed, sealing_key(options.settings.host_key), {purpose, owner});
    if (!clear.ok())
        return make_error(ErrorCode::auth, "a stored " + std::string(purpose) +
                                               " cannot be opened: it belongs to another "
                                               "record, was altered, or was sealed with "
                                               "another host key");
    return clear;
}

Result<std::string> SyncService::State::seal_credentials(const std::string& connection_id,
                                                         const std::string& credentials) const {
    return seal(credentials, kSealedCredentials, connection_id);
}

Result<std::string> SyncService::State::open_credentials(const ConnectionRecord& c) const {
    auto clear = net::unseal(c.sealed_credentials, sealing_key(options.settings.host_key),
                             {kSealedCredentials, c.id});
    if (!clear.ok())
        return make_error(ErrorCode::auth,
                          "connection " + c.id +
                              ": its stored credentials cannot be opened: they were sealed for "
                              "another connection (copied or moved in the store), altered, or "
                              "sealed with another host key; nothing was sent. Start calsync "
                              "with the host key it was set up with, or connect " +
                              c.id + " again");
    return clear;
}

std::string sealed_owner(const PendingAuthorization& pending) {
    return pending.connection_id + "\n" + pending.state;
}

std::string sealed_owner(const PushChannel& channel) {
    return channel.channel_id + "\n" + channel.connection_id + "\n" + channel.calendar_id;
}

namespace {

// Whether migrate_connection or the channel loop below would change anything: an unbound
// sealed value, or a feed address still in clear settings.
Result<bool> needs_migration(SyncService::State& s, const ConnectionRecord& c) {
    if (net::is_sealed_unbound(c.sealed_credentials) ||
        (c.kind == ProviderKind::ics_feed && !split_feed_secret(c.settings_json, "{}").url.empty()))
        return true;
    auto channels = s.store->list_push_channels(c.id);
    if (!channels.ok())
        return channels.error();
    return std::any_of(channels->begin(), channels->end(), [](const PushChannel& channel) {
        return net::is_sealed_unbound(channel.sealed_token);
    });
}

}  // namespace

Result<void> migrate_sealed_values(SyncService::State& s) {
    auto connections = s.connections_in_scope();
    if (!connections.ok())
        return connections.error();
    // Read first: an open with nothing to migrate (every open after the first) takes no
    // transaction, which through a worker's fenced view costs a lease check each time.
    bool any = false;
    for (const ConnectionRecord& c : connections.value()) {
        auto needed = needs_migration(s, c);
        if (!needed.ok())
            return needed.error();
        any = any || needed.value();
    }
    if (!any)
        return {};
    const std::string key = sealing_key(s.options.settings.host_key);
    return s.store->transaction([&]() -> Result<void> {
        for (ConnectionRecord c : connections.value()) {
            auto changed = migrate_connection(s, c);
            if (!changed.ok())
                return changed.error();
            if (changed.value()) {
                auto put = s.store->put_connection(c);
                if (!put.ok())
                    return put;
            }
            auto channels = s.store->list_push_channels(c.id);
            if (!channels.ok())
                return channels.error();
            for (PushChannel channel : channels.value()) {
                if (!net::is_sealed_unbound(channel.sealed_token))
                    continue;
                auto clear = net::unseal_unbound(channel.sealed_token, key);
                if (!clear.ok())
                    continue;  // another host key: a notification for it is refused
                auto sealed = s.seal(clear.value(), kSealedPushSecret, sealed_owner(channel));
                if (!sealed.ok())
                    return sealed.error();
                channel.sealed_token = sealed.value();
                auto put = s.store->put_push_channel(channel);
                if (!put.ok())
                    return put;
            }
        }
        return Result<void>();
    });
}

}  // namespace calsync
