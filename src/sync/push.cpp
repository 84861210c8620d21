// Push notifications: watching a calendar (a Google events.watch channel, a Graph
// subscription), renewing what is about to lapse, and turning what the host's endpoint
// received into "sync this connection now".
//
// The providers do the protocol (google_push.hpp, graph_push.hpp); this file keeps the
// channels in the store and decides what a notification may do. Both services sign what
// calsync gave them (Google's channel token, Graph's clientState: HMACs under the host
// key), so a forged notification is refused without a lookup; a genuine one marks its
// connection due only when the store still holds the channel (a replaced or stopped
// channel may deliver a little longer) and the calendar is still selected for import.
//
// The concrete provider is reached by dynamic_cast from the connection's CalendarProvider:
// push is Google's and Graph's own protocol, the adapters' types stay inside src/, and a
// host's provider factory (tests) that builds something else gets a clear error rather
// than every provider growing methods only two can honour.
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

#include "core/bounded_json.hpp"
#include "core/json_read.hpp"
#include "net/crypto.hpp"
#include "providers/google/google_provider.hpp"
#include "providers/google/google_push.hpp"
#include "providers/microsoft/graph_provider.hpp"
#include "providers/microsoft/graph_push.hpp"
#include "sync/push.hpp"

namespace calsync {
namespace {

// Graph posts basic notifications (calsync never asks for resource data) in batches of a
// few KB, Google posts none at all: a body past this is refused before it is parsed.
constexpr std::size_t kMaxPushBodyBytes = std::size_t{1} << 20;

using providers::google::GoogleProvider;
using providers::microsoft::GraphProvider;

// Google channel ids: 1-64 of [A-Za-z0-9-_+/=]; a random UUID (version 4) as the Push
// guide suggests, so a channel id never repeats across processes.
std::string random_channel_id() {
    std::string bytes = net::random_bytes(16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        const auto c = static_cast<unsigned char>(bytes[i]);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

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

providers::microsoft::PushOptions graph_push(const SyncService::State& s) {
    providers::microsoft::PushOptions push;
    push.host_key = s.options.settings.host_key;
    return push;
}

Error no_push(const ConnectionRecord& connection) {
    std::string kind = to_string(connection.kind);
    if (connection.kind == ProviderKind::caldav)
        kind = "CalDAV";
    else if (connection.kind == ProviderKind::icloud)
        kind = "iCloud";
    else if (connection.kind == ProviderKind::ics_feed)
        kind = "An ICS feed";
    return make_error(ErrorCode::invalid_argument,
                      "connection " + connection.id + ": " + kind +
                          " has no push notifications; calsync polls it on the schedule");
}

// A new channel on the service for one calendar, and its record for the store (put by the
// caller). `address` is the host's endpoint.
struct MadeChannel {
    PushWatch watch;
    PushChannel record;
};

Result<MadeChannel> make_channel(SyncService::State& s, CalendarProvider& provider,
                                 const ConnectionRecord& connection, const std::string& calendar_id,
                                 const std::string& address) {
    const Instant now = s.now();
    PushChannel stored;
    stored.connection_id = connection.id;
    stored.calendar_id = calendar_id;
    ChannelSecret secret{{}, address};
    if (connection.kind == ProviderKind::google) {
        auto* google = dynamic_cast<GoogleProvider*>(&provider);
        if (google == nullptr)
            return make_error(ErrorCode::invalid_argument,
                              "connection " + connection.id + ": its provider cannot watch");
        providers::google::WatchRequest request;
        request.channel_id = random_channel_id();
        request.address = address;
        request.connection_id = connection.id;
        request.host_key = s.options.settings.host_key;
        request.expiration = now + kGoogleChannelLifetime;
        auto token = providers::google::channel_token(request.host_key, request.channel_id,
                                                      connection.id, calendar_id);
        if (!token.ok())
            return token.error();
        secret.token = token.value();
        auto channel = google->watch(calendar_id, request);
        if (!channel.ok())
            return channel.error();
        stored.channel_id = channel->id;
        stored.resource_id = channel->resource_id;
        stored.expires_at = channel->expiration.value_or(now + kGoogleChannelLifetime);
    } else if (connection.kind == ProviderKind::microsoft) {
        auto* graph = dynamic_cast<GraphProvider*>(&provider);
        if (graph == nullptr)
            return make_error(ErrorCode::invalid_argument,
                              "connection " + connection.id + ": its provider cannot subscribe");
        auto sub = graph->subscribe(calendar_id, connection.id, address, now, graph_push(s));
        if (!sub.ok())
            return sub.error();
        stored.channel_id = sub->id;
        stored.expires_at = sub->expires_at;
        secret.token = providers::microsoft::client_state_for(s.options.settings.host_key,
                                                              connection.id, calendar_id);
    } else {
        return no_push(connection);
    }
    auto sealed = seal_secret(s, stored, secret);
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
    if (auto* google = dynamic_cast<GoogleProvider*>(&provider))
        return google->stop_channel(channel.channel_id, channel.resource_id);
    if (auto* graph = dynamic_cast<GraphProvider*>(&provider))
        return graph->unsubscribe(channel.channel_id);
    return no_push(connection);
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

std::optional<std::string> header(const PushRequest& request, const std::string& name) {
    for (const auto& [n, v] : request.headers) {
        if (n.size() == name.size() &&
            std::equal(n.begin(), n.end(), name.begin(), [](unsigned char a, unsigned char b) {
                return std::tolower(a) == std::tolower(b);
            }))
            return v;
    }
    return std::nullopt;
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

Result<PushAnswer> handle_google(SyncService::State& s, const PushRequest& request) {
    std::vector<net::Header> headers;
    for (const auto& [n, v] : request.headers)
        headers.push_back({n, v});
    auto target = providers::google::read_push_notification(headers, s.options.settings.host_key);
    if (!target.ok())
        return target.error();
    PushAnswer answer;
    answer.source = "google";
    answer.status = 200;  // Google takes any 2xx; others are retried with backoff
    if (!target->sync_needed) {
        // "sync": the channel was just made; nothing changed (Push guide, "Sync message").
        answer.events.push_back(target->resource_state);
        return answer;
    }
    if (!known_channel(s, target->channel_id, target->connection_id, target->calendar_id)) {
        answer.ignored = "unknown_channel";
        return answer;
    }
    answer.ignored = may_mark(s, target->connection_id, target->calendar_id);
    if (!answer.ignored.empty())
        return answer;
    auto marked = s.mark_due_now(target->connection_id);
    if (!marked.ok())
        return marked.error();
    answer.marked.push_back({target->connection_id, target->calendar_id});
    s.log(LogLevel::info, "connection " + target->connection_id + ": a push notification for " +
                              target->calendar_id + " made it due");
    return answer;
}

Result<PushAnswer> handle_graph(SyncService::State& s, const PushRequest& request,
                                const std::string& query) {
    auto batch =
        providers::microsoft::read_notifications(s.options.settings.host_key, query, request.body);
    if (!batch.ok())
        return batch.error();
    if (batch->accepted == 0 && batch->refused > 0)
        return make_error(ErrorCode::auth,
                          "notification refused: its clientState was not signed by this host");
    PushAnswer answer;
    answer.source = "graph";
    answer.status = 202;  // Graph: 202 Accepted within 3 seconds, then do the work
    answer.refused = batch->refused;
    answer.events = batch->lifecycle_events;
    std::vector<PushChannel> known;
    for (const std::string& id : batch->subscription_ids) {
        if (auto channel = known_channel(s, id, batch->connection_id, batch->calendar_id))
            known.push_back(*channel);
    }
    if (known.empty()) {
        answer.ignored = batch->accepted > 0 ? "unknown_channel" : "";
        return answer;
    }
    const auto has = [&](const char* event) {
        return std::find(answer.events.begin(), answer.events.end(), event) != answer.events.end();
    };
    for (PushChannel& channel : known) {
        if (has("subscriptionRemoved")) {
            // Graph ended it: a new one needs watch() again; until then the calendar is
            // polled, and what changed meanwhile is read by the sync marked below.
            auto removed = s.store->remove_push_channel(channel.channel_id);
            if (!removed.ok())
                return removed.error();
            answer.forgotten.push_back(channel.channel_id);
        } else if (has("reauthorizationRequired")) {
            // Renewing is a request to Graph, too slow for the 3 s reply: the next
            // renew_push does it (Graph: reauthorize "as soon as possible").
            channel.expires_at = s.now();
            auto due = s.store->put_push_channel(channel);
            if (!due.ok())
                return due.error();
            answer.renewed.push_back(channel.channel_id);
        }
    }
    // "missed" and every change: read the calendar. A reauthorizationRequired alone
    // changed nothing in the calendar.
    const bool only_reauthorization =
        !answer.events.empty() &&
        std::all_of(answer.events.begin(), answer.events.end(),
                    [](const std::string& e) { return e == "reauthorizationRequired"; }) &&
        batch->accepted == answer.events.size();
    if (!batch->sync || only_reauthorization)
        return answer;
    answer.ignored = may_mark(s, batch->connection_id, batch->calendar_id);
    if (!answer.ignored.empty())
        return answer;
    auto marked = s.mark_due_now(batch->connection_id);
    if (!marked.ok())
        return marked.error();
    answer.marked.push_back({batch->connection_id, batch->calendar_id});
    s.log(LogLevel::info, "connection " + batch->connection_id +
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
        return make_error(ErrorCode::invalid_argument, "address: missing");
    auto connection = s_->active_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    if (connection->kind != ProviderKind::google && connection->kind != ProviderKind::microsoft)
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
            if (connection->kind == ProviderKind::microsoft) {
                auto* graph = dynamic_cast<GraphProvider*>(provider.value());
                if (graph == nullptr)
                    return no_push(connection.value());
                auto sub = graph->renew(channel.channel_id, now, graph_push(*s_));
                if (sub.ok()) {
                    PushChannel updated = channel;
                    updated.expires_at = sub->expires_at;
                    r.channel_id = channel.channel_id;
                    r.expires_at = sub->expires_at;
                    return s_->store->put_push_channel(updated);
                }
                // Graph deleted it (expired, or removed after a missed reauthorization):
                // a new subscription takes its place.
                if (sub.error().code != ErrorCode::not_found)
                    return sub.error();
            }
            // Google channels cannot be renewed: a new channel, then the old one stops.
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
    const auto deadline = s_->operation_deadline();  // a Graph renewal may talk to Graph
    const DeferredCallbacks callbacks;               // one habit for every operation that logs
    std::string query = request.query;
    if (!query.empty() && query.front() == '?')
        query.erase(0, 1);
    // Graph's handshake comes before any subscription exists (it is how one is made), so
    // it is answered without a lookup, and without a lock watch() could be holding.
    if (auto validation = providers::microsoft::answer_validation(query)) {
        PushAnswer answer;
        answer.source = "graph_validation";
        answer.status = validation->status;
        answer.content_type = validation->content_type;
        answer.body = validation->body;
        return answer;
    }
    if (header(request, "X-Goog-Channel-ID"))
        return handle_google(*s_, request);
    if (query.find("calsync_connection=") != std::string::npos)
        return handle_graph(*s_, request, query);
    return make_error(ErrorCode::invalid_argument,
                      "push: neither a Google notification (no X-Goog-Channel-ID header) nor a "
                      "Graph one (the URL names no calsync connection)");
}

}  // namespace calsync
