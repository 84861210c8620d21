// Push notifications: watching a calendar, renewing what is about to lapse, and turning
// what the host's endpoint received into "sync this connection now".
//
// The providers do the protocol (their PushChannels, and the PushReader of their kind in
// providers/provider_kinds): this file keeps the channels in the store and decides what a
// notification may do. Every service echoes a secret calsync gave it (an HMAC under the
// host key over the connection and calendar), so a forged notification is refused without
// a lookup; a genuine one marks its connection due only when the store still holds the
// channel (a replaced or stopped channel may deliver a little longer) and the calendar is
// still selected for import.
#include <rapidjson/document.h>

#include <algorithm>

#include "core/bounded_json.hpp"
#include "core/json_read.hpp"
#include "core/user_terms.hpp"
#include "providers/provider_kinds.hpp"
#include "sync/push.hpp"

namespace calsync {
namespace {

// Graph posts basic notifications (calsync never asks for resource data) in batches of a
// few KB, Google posts none at all: a body past this is refused before it is parsed.
constexpr std::size_t kMaxPushBodyBytes = std::size_t{1} << 20;

// What a stored channel keeps sealed: the token the service echoes (a secret: whoever
// holds it can make notifications pass) and the host's address, which a Google channel
// needs again when it is replaced (PushChannel has no field of its own for it).
struct ChannelSecret {
    std::string token;
    std::string address;
};

// Bound to the channel's row: its id, connection and calendar.
Result<std::string> seal_secret(const SyncService::State& s, const PushChannel& channel,
                                const ChannelSecret& secret) {
    return s.seal(json::detail::write_document([&](json::detail::Writer& w) {
                      json::detail::write_string(w, "token", secret.token);
                      json::detail::write_string(w, "address", secret.address);
                  }),
                  kSealedPushSecret, sealed_owner(channel));
}

Result<ChannelSecret> unseal_secret(const SyncService::State& s, const PushChannel& channel) {
    auto clear = s.unseal(channel.sealed_token, kSealedPushSecret, sealed_owner(channel));
    if (!clear.ok())
        return clear.error();
    const rapidjson::Document doc = json::parse_bounded_or_null(*clear);
    if (!doc.IsObject() || !doc.HasMember("address") || !doc["address"].IsString())
        return make_error(ErrorCode::internal, "push channel " + channel.channel_id +
                                                   ": its stored record is unreadable");
    ChannelSecret secret;
    secret.address = doc["address"].GetString();
    if (doc.HasMember("token") && doc["token"].IsString())
        secret.token = doc["token"].GetString();
    return secret;
}

Error no_push(const ConnectionRecord& connection) {
    return make_error(ErrorCode::invalid_argument,
                      "connection " + connection.id + ": " +
                          providers::traits_of(connection.kind).display_name +
                          " has no push notifications; calsync polls it on the schedule");
}

Result<PushChannels*> push_of(CalendarProvider& provider, const ConnectionRecord& connection) {
    PushChannels* push = provider.capabilities().push ? provider.push() : nullptr;
    if (push == nullptr)
        return no_push(connection);
    return push;
}

PushChannelRequest channel_request(const SyncService::State& s, const ConnectionRecord& connection,
                                   const std::string& calendar_id, const std::string& address) {
    return {connection.id, calendar_id, address, s.options.settings.host_key, s.now()};
}

PushSubscription subscription_of(const PushChannel& channel) {
    return {channel.channel_id, channel.resource_id, channel.expires_at, ""};
}

// A new channel on the service for one calendar, and its record for the store (put by the
// caller). `address` is the host's endpoint.
struct MadeChannel {
    PushWatch watch;
    PushChannel record;
};

Result<MadeChannel> make_channel(const SyncService::State& s, CalendarProvider& provider,
                                 const ConnectionRecord& connection, const std::string& calendar_id,
                                 const std::string& address) {
    auto push = push_of(provider, connection);
    if (!push.ok())
        return push.error();
    auto made = push.value()->subscribe(channel_request(s, connection, calendar_id, address));
    if (!made.ok())
        return made.error();
    PushChannel stored;
    stored.connection_id = connection.id;
    stored.calendar_id = calendar_id;
    stored.channel_id = made->channel_id;
    stored.resource_id = made->resource_id;
    stored.expires_at = made->expires_at;
    auto sealed = seal_secret(s, stored, ChannelSecret{made->secret, address});
    if (!sealed.ok())
        return sealed.error();
    stored.sealed_token = sealed.value();
    PushWatch watch{stored.channel_id, connection.id, calendar_id, connection.kind,
                    stored.expires_at};
    return MadeChannel{std::move(watch), std::move(stored)};
}

// Stops one channel at its service; not known there any more counts as stopped.
Result<void> stop_remote(CalendarProvider& provider, const ConnectionRecord& connection,
                         const PushChannel& channel) {
    auto push = push_of(provider, connection);
    if (!push.ok())
        return push.error();
    return push.value()->stop(subscription_of(channel));
}

void log_stop_failure(const SyncService::State& s, const PushChannel& channel, const Error& e) {
    s.log(LogLevel::warning, "connection " + channel.connection_id + ": push channel " +
                                 channel.channel_id + " could not be stopped (" + e.message +
                                 "); it lapses at its expiry");
}

Result<void> stop_and_forget(SyncService::State& s, CalendarProvider& provider,
                             const ConnectionRecord& connection, const PushChannel& channel) {
    auto stopped = stop_remote(provider, connection, channel);
    if (!stopped.ok())
        log_stop_failure(s, channel, stopped.error());
    return s.store->remove_push_channel(channel.channel_id);
}

// Whether a genuine notification for (connection, calendar) may make it due; the reason
// when not.
std::string may_mark(SyncService::State& s, const std::string& connection_id,
                     const std::string& calendar_id) {
    auto connection = s.store->get_connection(connection_id);
    if (!connection.ok() || connection->state != ConnectionState::active)
        return "connection_disconnected";
    auto calendar = s.store->get_calendar(connection_id, calendar_id);
    if (!calendar.ok() || !calendar->selected || !imports(calendar->direction))
        return "calendar_not_selected";
    return {};
}

// The stored channel `channel_id` when it belongs to this connection and calendar.
std::optional<PushChannel> known_channel(SyncService::State& s, const std::string& channel_id,
                                         const std::string& connection_id,
                                         const std::string& calendar_id) {
    auto channel = s.store->get_push_channel(channel_id);
    if (!channel.ok() || channel->connection_id != connection_id ||
        channel->calendar_id != calendar_id)
        return std::nullopt;
    return channel.value();
}

// What a notice its service read may do: forget or renew its channels, mark its
// connection due.
Result<PushAnswer> answer_notice(SyncService::State& s, const PushNotice& notice) {
    PushAnswer answer;
    answer.source = notice.source;
    answer.status = notice.status;
    answer.content_type = notice.content_type;
    answer.body = notice.body;
    answer.events = notice.events;
    answer.refused = notice.refused;
    if (notice.handshake ||
        !(notice.calendar_changed || notice.channel_ended || notice.renewal_requested))
        return answer;
    std::vector<PushChannel> known;
    for (const std::string& id : notice.channel_ids) {
        if (auto channel = known_channel(s, id, notice.connection_id, notice.calendar_id))
            known.push_back(*channel);
    }
    if (known.empty()) {
        answer.ignored = "unknown_channel";
        return answer;
    }
    for (PushChannel& channel : known) {
        if (notice.channel_ended) {
            // A new one needs watch() again; until then the calendar is polled, and what
            // changed meanwhile is read by the sync marked below.
            auto removed = s.store->remove_push_channel(channel.channel_id);
            if (!removed.ok())
                return removed.error();
            answer.forgotten.push_back(channel.channel_id);
        } else if (notice.renewal_requested) {
            // Renewing talks to the service, too slow for its reply: the next renew_push
            // does it.
            channel.expires_at = s.now();
            auto due = s.store->put_push_channel(channel);
            if (!due.ok())
                return due.error();
            answer.renewed.push_back(channel.channel_id);
        }
    }
    if (!notice.calendar_changed)
        return answer;
    answer.ignored = may_mark(s, notice.connection_id, notice.calendar_id);
    if (!answer.ignored.empty())
        return answer;
    auto marked = s.mark_due_now(notice.connection_id);
    if (!marked.ok())
        return marked.error();
    answer.marked.push_back({notice.connection_id, notice.calendar_id});
    s.log(LogLevel::info, "connection " + notice.connection_id +
                              ": a change notification for a calendar made it due");
    return answer;
}

}  // namespace

void stop_push_channels(SyncService::State& s, LiveConnection& live,
                        const ConnectionRecord& connection, const std::string& calendar_id) {
    auto channels = s.store->list_push_channels(connection.id);
    if (!channels.ok() || channels->empty())
        return;
    const auto deadline = s.operation_deadline();
    auto provider = s.provider(live, connection);
    for (const PushChannel& channel : channels.value()) {
        if (!calendar_id.empty() && channel.calendar_id != calendar_id)
            continue;
        if (provider.ok()) {
            auto stopped = stop_remote(*provider.value(), connection, channel);
            if (!stopped.ok())
                log_stop_failure(s, channel, stopped.error());
        } else {
            log_stop_failure(s, channel, provider.error());
        }
        (void)s.store->remove_push_channel(channel.channel_id);
    }
}

Result<PushWatch> SyncService::watch(const std::string& connection_id,
                                     const std::string& calendar_id, const std::string& address) {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    if (address.empty())
        return member_error("address", "missing");
    auto connection = s_->active_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    if (!providers::capabilities_of(connection->kind).push)
        return no_push(connection.value());
    auto calendar = s_->store->get_calendar(connection_id, calendar_id);
    if (!calendar.ok())
        return make_error(ErrorCode::not_found, "connection " + connection_id +
                                                    " has no calendar " + calendar_id +
                                                    " (list its calendars first)");
    // Only import calendars block slots; a change elsewhere needs no early sync.
    if (!calendar->selected || !imports(calendar->direction))
        return make_error(ErrorCode::invalid_argument,
                          "calendar " + calendar_id +
                              " is not selected for import (or both): only those are watched");
    auto live = s_->live_connection(connection_id);
    std::lock_guard<std::mutex> turn(live->sync_mutex);
    const auto deadline = s_->operation_deadline();
    auto provider = s_->provider(*live, connection.value());
    if (!provider.ok())
        return provider.error();
    auto made = make_channel(*s_, *provider.value(), connection.value(), calendar_id, address);
    if (!made.ok())
        return made.error();
    auto older = s_->store->list_push_channels(connection_id);
    auto put = s_->store->put_push_channel(made->record);
    if (!put.ok()) {
        (void)stop_remote(*provider.value(), connection.value(), made->record);
        return put.error();
    }
    // Watching again replaces: one channel per calendar is enough, and each more would
    // mark the connection due once more per change.
    if (older.ok()) {
        for (const PushChannel& old : older.value()) {
            if (old.calendar_id == calendar_id)
                (void)stop_and_forget(*s_, *provider.value(), connection.value(), old);
        }
    }
    s_->log(LogLevel::info, "connection " + connection_id + ": push channel " +
                                made->watch.channel_id + " watches " + calendar_id);
    return made->watch;
}

std::vector<PushRenewal> SyncService::renew_push() {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    std::vector<PushRenewal> out;
    const Instant now = s_->now();
    auto expiring = s_->store->list_push_channels_expiring(now + kPushRenewMargin);
    if (!expiring.ok()) {
        PushRenewal failed;
        failed.error = expiring.error();
        out.push_back(failed);
        return out;
    }
    for (const PushChannel& channel : expiring.value()) {
        PushRenewal r;
        r.connection_id = channel.connection_id;
        r.calendar_id = channel.calendar_id;
        r.old_channel_id = channel.channel_id;
        const auto renewed = [&]() -> Result<void> {
            auto connection = s_->store->get_connection(channel.connection_id);
            if (!connection.ok())
                return connection.error();
            auto secret = unseal_secret(*s_, channel);
            if (!secret.ok())
                return secret.error();
            auto live = s_->live_connection(channel.connection_id);
            std::lock_guard<std::mutex> turn(live->sync_mutex);
            const auto deadline = s_->operation_deadline();  // each channel its own
            auto provider = s_->provider(*live, connection.value());
            if (!provider.ok())
                return provider.error();
            auto push = push_of(*provider.value(), connection.value());
            if (!push.ok())
                return push.error();
            auto renewed = push.value()->renew(
                subscription_of(channel),
                channel_request(*s_, connection.value(), channel.calendar_id, secret->address));
            if (renewed.ok()) {
                PushChannel updated = channel;
                updated.expires_at = renewed->expires_at;
                r.channel_id = channel.channel_id;
                r.expires_at = renewed->expires_at;
                return s_->store->put_push_channel(updated);
            }
            // Gone at the service (expired, removed), or not renewable (Google): a new
            // channel takes its place, then the old one stops.
            if (renewed.error().code != ErrorCode::not_found)
                return renewed.error();
            auto made = make_channel(*s_, *provider.value(), connection.value(),
                                     channel.calendar_id, secret->address);
            if (!made.ok())
                return made.error();
            auto put = s_->store->put_push_channel(made->record);
            if (!put.ok()) {
                (void)stop_remote(*provider.value(), connection.value(), made->record);
                return put.error();
            }
            r.channel_id = made->watch.channel_id;
            r.expires_at = made->watch.expires_at;
            return stop_and_forget(*s_, *provider.value(), connection.value(), channel);
        }();
        if (!renewed.ok()) {
            r.error = renewed.error();
            s_->log(LogLevel::warning, "connection " + channel.connection_id + ": push channel " +
                                           channel.channel_id +
                                           " was not renewed: " + renewed.error().message);
        }
        out.push_back(std::move(r));
    }
    return out;
}

Result<PushAnswer> SyncService::handle_push(const PushRequest& request) {
    if (request.body.size() > kMaxPushBodyBytes)
        return make_error(ErrorCode::limit_exceeded,
                          "push body of " + std::to_string(request.body.size()) +
                              " bytes is over the " + std::to_string(kMaxPushBodyBytes) +
                              "-byte limit");
    const auto deadline = s_->operation_deadline();
    const DeferredCallbacks callbacks;  // one habit for every operation that logs
    PushRequest received = request;
    if (!received.query.empty() && received.query.front() == '?')
        received.query.erase(0, 1);
    // The first service that knows the request reads it; a handshake is answered without
    // a lookup, and without a lock watch() could be holding.
    std::string expected;
    for (const providers::ProviderKindTraits* kind : providers::push_kinds()) {
        if (auto notice = kind->read_push(received, s_->options.settings.host_key)) {
            if (!notice->ok())
                return notice->error();
            return answer_notice(*s_, notice->value());
        }
        expected += std::string(expected.empty() ? "neither" : " nor") + " a " +
                    kind->display_name + " one (" + kind->push_mark + ")";
    }
    return make_error(ErrorCode::invalid_argument,
                      "push: not a notification calsync can read: " + expected);
}

}  // namespace calsync
