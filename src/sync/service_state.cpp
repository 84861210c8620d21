#include "sync/service_state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>

#include "core/bounded_json.hpp"
#include "core/jitter_seed.hpp"
#include "core/provider_config.hpp"
#include "core/user_terms.hpp"
#include "providers/provider_factory.hpp"
#include "providers/provider_kinds.hpp"

namespace calsync {

std::string slot_calendar_key(const std::string& connection_id, const std::string& calendar_id) {
    return connection_id + "/" + calendar_id;
}

SyncService::State::State(SyncServiceOptions o, ImportEngine e)
    : options(std::move(o)),
      store(options.store),
      engine(std::move(e)),
      random(options.seed != 0 ? options.seed : jitter_seed()) {
    pool = std::make_unique<sync::SyncPool>(
        static_cast<std::size_t>(std::max(1, options.settings.max_concurrent_syncs)));
}

Instant SyncService::State::now() const {
    if (options.clock)
        return options.clock();
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::unique_ptr<net::DeadlineScope> SyncService::State::operation_deadline() const {
    return std::make_unique<net::DeadlineScope>(options.settings.network.sync_timeout);
}

json::NetworkConfig network_config(const NetworkSettings& n) {
    json::NetworkConfig c;
    c.allow_private_addresses = n.allow_private_addresses;
    c.ca_bundle = n.ca_bundle;
    c.proxy = n.proxy;
    c.connect_timeout_seconds = n.connect_timeout.count();
    c.total_timeout_seconds = n.total_timeout.count();
    c.sync_timeout_seconds = n.sync_timeout.count();
    return c;
}

TimeRange SyncService::State::window() const {
    // Whole UTC days, so the window (and with it the engine) moves once a day, not on
    // every call.
    constexpr std::int64_t kDay = 86'400;
    const std::int64_t today = to_unix(now()) / kDay * kDay;
    const auto& s = options.settings;
    return {instant_from_unix(today - s.window_days_back * kDay),
            instant_from_unix(today + s.window_days_ahead * kDay)};
}

namespace {

// The outermost DeferredCallbacks open on this thread, if any (per thread: a callback
// belongs to the thread whose call queued it).
// NOLINTNEXTLINE(*-avoid-non-const-global-variables)
thread_local DeferredCallbacks* open_callbacks = nullptr;

}  // namespace

DeferredCallbacks::DeferredCallbacks() : outermost_(open_callbacks == nullptr) {
    if (outermost_)
        open_callbacks = this;
}

DeferredCallbacks::~DeferredCallbacks() {
    if (!outermost_)
        return;
    open_callbacks = nullptr;  // a callback calling back in opens its own
    for (const auto& call : queue_) {
        try {
            call();
        } catch (...) {
            // A host's callback that throws loses its own call, not the others'.
        }
    }
}

void DeferredCallbacks::run_or_defer(std::function<void()> call) {
    if (open_callbacks == nullptr)
        call();
    else
        open_callbacks->queue_.push_back(std::move(call));
}

void SyncService::State::log(LogLevel level, const std::string& message) const {
    if (options.log)
        DeferredCallbacks::run_or_defer(
            [log = options.log, level, message] { log(level, message); });
}

void SyncService::State::slots_changed(const std::string& connection_id,
                                       const SlotDiff& diff) const {
    if (options.slots_changed && (!diff.added.empty() || !diff.removed.empty()))
        DeferredCallbacks::run_or_defer([changed = options.slots_changed, connection_id, diff] {
            changed(connection_id, diff);
        });
}

void SyncService::State::keep_slots(const SlotDiff& diff, const std::string& own_key,
                                    bool own_replaced, const std::vector<std::string>& own_events) {
    struct Touched {
        bool replace_all = false;
        std::set<std::string> events;
    };
    std::map<std::string, Touched> touched;  // by slot calendar key
    if (!own_key.empty()) {
        Touched& own = touched[own_key];
        own.replace_all = own_replaced || slots_stale.count(own_key) != 0;
        own.events.insert(own_events.begin(), own_events.end());
    }
    for (const auto* list : {&diff.added, &diff.removed}) {
        for (const BlockedSlot& slot : *list) {
            Touched& t = touched[slot.calendar_id];
            t.replace_all = t.replace_all || slots_stale.count(slot.calendar_id) != 0;
            t.events.insert(slot.event_id);
        }
    }
    for (const auto& [key, t] : touched) {
        // "<connection>/<calendar>": connection ids hold no '/' (connection_id_or_new).
        const std::size_t slash = key.find('/');
        if (slash == std::string::npos || (!t.replace_all && t.events.empty()))
            continue;
        SlotChanges changes;
        changes.replace_all = t.replace_all;
        if (t.replace_all)
            changes.window = engine.policy().window;  // what calendar_slots is computed for
        changes.events.assign(t.events.begin(), t.events.end());
        for (BlockedSlot& slot : engine.calendar_slots(key)) {
            if (t.replace_all || t.events.count(slot.event_id) != 0)
                changes.slots.push_back(std::move(slot));
        }
        auto written =
            store->apply_slot_changes(key.substr(0, slash), key.substr(slash + 1), changes);
        if (written.ok() || written.error().code == ErrorCode::not_found) {
            slots_stale.erase(key);
            continue;
        }
        slots_stale.insert(key);
        log(LogLevel::warning, "calendar " + key +
                                   ": its blocked slots could not be stored, written whole at "
                                   "its next sync: " +
                                   written.error().message);
    }
}

void SyncService::State::keep_slot_windows(const ConnectionRecord& connection,
                                           const std::vector<CalendarRecord>& calendars) {
    if (connection.state != ConnectionState::active)
        return;
    const TimeRange now_window = window();
    std::vector<std::string> behind;  // slot calendar keys
    for (const CalendarRecord& cal : calendars) {
        if (!cal.selected || !imports(cal.direction))
            continue;
        auto kept = store->find_slot_window(connection.id, cal.calendar.id);
        if (!kept.ok()) {
            log(LogLevel::warning, "calendar " + slot_calendar_key(connection.id, cal.calendar.id) +
                                       ": " + kept.error().message);
            continue;
        }
        const std::optional<TimeRange>& held = kept.value();
        if (!held || *held != now_window)
            behind.push_back(slot_calendar_key(connection.id, cal.calendar.id));
    }
    if (behind.empty())
        return;
    auto ready = keep_window_current();
    if (ready.ok())
        ready = engine_ready();
    if (!ready.ok()) {
        log(LogLevel::warning, "connection " + connection.id +
                                   ": its blocked slots could not follow the window, tried "
                                   "again next sync: " +
                                   ready.error().message);
        return;
    }
    std::lock_guard<std::mutex> lock(engine_mutex);
    for (const std::string& key : behind)
        keep_slots(SlotDiff{}, key, true);
}

std::shared_ptr<LiveConnection> SyncService::State::live_connection(const std::string& id) {
    std::lock_guard<std::mutex> lock(live_mutex);
    auto& entry = live[id];
    if (!entry)
        entry = std::make_shared<LiveConnection>();
    return entry;
}

void SyncService::State::forget_live(const std::string& id) {
    std::lock_guard<std::mutex> lock(live_mutex);
    live.erase(id);
}

Result<CalendarProvider*> SyncService::State::provider(LiveConnection& live,
                                                       const ConnectionRecord& connection) {
    if (live.provider)
        return live.provider.get();
    std::string credentials = "{}";
    if (!connection.sealed_credentials.empty()) {
        auto clear = open_credentials(connection);
        if (!clear.ok())
            return clear.error();
        credentials = std::move(clear).value();
    }
    const std::string id = connection.id;
    ProviderContext context{connection, credentials,
                            [this, id](const std::string& fresh) {
                                // A rotated refresh token must survive a restart.
                                auto sealed = seal_credentials(id, fresh);
                                if (sealed.ok() && store->set_credentials(id, sealed.value()).ok())
                                    return;
                                log(LogLevel::error,
                                    "connection " + id + ": could not store refreshed credentials");
                            },
                            cancel};
    auto made = options.provider_factory
                    ? options.provider_factory(context)
                    : make_default_provider(context, options.settings, options.request_budgets);
    if (!made.ok())
        return made.error();
    live.provider = std::move(made).value();
    return live.provider.get();
}

Result<std::vector<ConnectionRecord>> SyncService::State::connections_in_scope() {
    if (options.only_connection.empty())
        return store->list_connections();
    auto only = store->get_connection(options.only_connection);
    if (!only.ok())
        return only.error();
    return std::vector<ConnectionRecord>{std::move(only).value()};
}

Result<void> SyncService::State::for_each_import_calendar(
    const std::function<Result<void>(const ConnectionRecord&, const CalendarRecord&)>& each) {
    auto connections = connections_in_scope();
    if (!connections.ok())
        return connections.error();
    for (const ConnectionRecord& c : connections.value()) {
        if (c.state != ConnectionState::active)
            continue;
        auto calendars = store->list_calendars(c.id);
        if (!calendars.ok())
            return calendars.error();
        for (const CalendarRecord& cal : calendars.value()) {
            if (!cal.selected || !imports(cal.direction))
                continue;
            auto done = each(c, cal);
            if (!done.ok())
                return done;
        }
    }
    return {};
}

Result<BlockingPolicy> SyncService::State::blocking_policy(const TimeRange& w) {
    BlockingPolicy policy;
    policy.business_zone = options.settings.business_zone;
    policy.window = w;
    policy.defaults = options.settings.default_policy;
    auto listed =
        for_each_import_calendar([&](const ConnectionRecord& c, const CalendarRecord& cal) {
            policy.calendars[slot_calendar_key(c.id, cal.calendar.id)] = cal.policy;
            return Result<void>();
        });
    if (!listed.ok())
        return listed.error();
    return policy;
}

Result<SlotDiff> SyncService::State::rebuild_engine() {
    // The engine lock is held while the store is read, so a sync applying changes at the
    // same time either lands in the store before this read or reaches the new engine.
    std::lock_guard<std::mutex> lock(engine_mutex);
    auto policy = blocking_policy(window());
    if (!policy.ok())
        return policy.error();
    auto fresh = ImportEngine::create(policy.value());
    if (!fresh.ok())
        return fresh.error();
    std::size_t expanded = 0;
    auto loaded =
        for_each_import_calendar([&](const ConnectionRecord& c, const CalendarRecord& cal) {
            const std::string key = slot_calendar_key(c.id, cal.calendar.id);
            auto events = store->load_events(c.id, cal.calendar.id);
            if (!events.ok())
                return Result<void>(events.error());
            expanded += events->size();
            for (Event& e : events.value())
                e.calendar_id = key;
            fresh->set_calendar_label(
                key, cal.calendar.name.empty() ? cal.calendar.id : cal.calendar.name);
            fresh->load(events.value());
            return Result<void>();
        });
    if (!loaded.ok())
        return loaded.error();
    const std::vector<BlockedSlot> before = engine.slots();
    const std::vector<BlockedSlot> after = fresh->slots();
    SlotDiff diff;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(diff.added));
    std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(diff.removed));
    engine = std::move(fresh).value();
    engine_built = true;
    availability.reset();
    log(LogLevel::info,
        "import engine built from the store: " + counted(expanded, "event") + " expanded");
    return diff;
}

Result<SlotDiff> SyncService::State::refresh_calendar(const CalendarRecord& calendar) {
    // Under the engine lock while the store is read, as in rebuild_engine.
    std::lock_guard<std::mutex> lock(engine_mutex);
    if (!engine_built)
        return SlotDiff{};  // built later, from the store, with this record in it
    const std::string key = slot_calendar_key(calendar.connection_id, calendar.calendar.id);
    auto connection = store->get_connection(calendar.connection_id);
    if (!connection.ok())
        return connection.error();
    availability.reset();
    // rebuild_engine's choice (for_each_import_calendar): selected import calendars of
    // active connections.
    if (!calendar.selected || !imports(calendar.direction) ||
        connection->state != ConnectionState::active) {
        SlotDiff diff = engine.remove_calendar(key);
        keep_slots(diff, key, true);
        return diff;
    }
    auto events = store->load_events(calendar.connection_id, calendar.calendar.id);
    if (!events.ok())
        return events.error();
    for (Event& e : events.value())
        e.calendar_id = key;
    engine.set_calendar_policy(key, calendar.policy);
    engine.set_calendar_label(
        key, calendar.calendar.name.empty() ? calendar.calendar.id : calendar.calendar.name);
    SlotDiff diff = engine.replace_calendar(key, events.value());
    keep_slots(diff, key, true);
    return diff;
}

Result<void> SyncService::State::engine_ready() {
    {
        std::lock_guard<std::mutex> lock(engine_mutex);
        if (engine_built)
            return {};
    }
    auto built = rebuild_engine();
    if (!built.ok())
        return built.error();
    return {};
}

Result<void> SyncService::State::keep_window_current() {
    {
        std::lock_guard<std::mutex> lock(engine_mutex);
        const TimeRange w = window();
        // Not built yet: it will be, for the window of that moment.
        if (!engine_built ||
            (engine.policy().window.start == w.start && engine.policy().window.end == w.end))
            return {};
    }
    auto diff = rebuild_engine();
    if (!diff.ok())
        return diff.error();
    return {};
}

SlotDiff SyncService::State::net(SlotDiff diff) {
    std::sort(diff.added.begin(), diff.added.end());
    std::sort(diff.removed.begin(), diff.removed.end());
    SlotDiff out;
    std::set_difference(diff.added.begin(), diff.added.end(), diff.removed.begin(),
                        diff.removed.end(), std::back_inserter(out.added));
    std::set_difference(diff.removed.begin(), diff.removed.end(), diff.added.begin(),
                        diff.added.end(), std::back_inserter(out.removed));
    return out;
}

Result<void> SyncService::State::store_listed_calendar(const std::string& connection_id,
                                                       const Calendar& calendar) {
    auto existing = store->get_calendar(connection_id, calendar.id);
    CalendarRecord record;
    if (existing.ok()) {
        record = existing.value();
    } else {
        record.connection_id = connection_id;
        record.policy = options.settings.default_policy;
    }
    record.calendar = calendar;
    return store->put_calendar(record);
}

Result<ConnectionRecord> SyncService::State::active_connection(const std::string& connection_id) {
    auto connection = store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    if (connection->state != ConnectionState::active)
        return make_error(ErrorCode::invalid_argument,
                          "connection " + connection_id + " is disconnected: connect it again");
    return connection;
}

Result<void> SyncService::State::mark_due_now(const std::string& connection_id) {
    auto status = store->get_connection_status(connection_id);
    if (!status.ok())
        return status.error();
    SyncStatus s = status.value();
    s.next_due = now();
    auto put = store->put_connection_status(connection_id, s);
    if (put.ok() && options.connection_due)
        options.connection_due(connection_id, *s.next_due);
    return put;
}

const OAuthClientSettings* oauth_client_of(const SyncSettings& settings, ProviderKind kind) {
    if (!providers::capabilities_of(kind).oauth)
        return nullptr;
    // SyncSettings holds one client per OAuth service.
    return kind == ProviderKind::microsoft ? &settings.microsoft : &settings.google;
}

Result<std::string> provider_document(const ConnectionRecord& connection,
                                      const std::string& credentials_json,
                                      const SyncSettings& settings) {
    auto stored = json::parse_bounded(connection.settings_json, json::InvalidUtf8::replace);
    if (!stored.ok() || !stored->IsObject())
        return make_error(ErrorCode::invalid_argument,
                          "connection " + connection.id + ": stored settings are not an object");
    auto read_credentials = json::parse_bounded(credentials_json, json::InvalidUtf8::replace);
    if (!read_credentials.ok() || !read_credentials->IsObject())
        return make_error(ErrorCode::invalid_argument,
                          "connection " + connection.id + ": credentials are not an object");
    rapidjson::Document& doc = stored.value();
    rapidjson::Document& credentials = read_credentials.value();
    auto& a = doc.GetAllocator();
    const auto set = [&a](rapidjson::Value& obj, const char* name, rapidjson::Value value) {
        obj.RemoveMember(name);
        obj.AddMember(rapidjson::Value(name, a), value, a);
    };
    const auto text = [&a](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
    set(doc, "kind", text(to_string(connection.kind)));
    for (auto& m : credentials.GetObject())
        set(doc, m.name.GetString(), rapidjson::Value(m.value, a));
    const OAuthClientSettings* oauth = oauth_client_of(settings, connection.kind);
    if (oauth != nullptr) {
        rapidjson::Value client(rapidjson::kObjectType);
        const std::pair<const char*, const std::string*> fields[] = {
            {"client_id", &oauth->client_id},
            {"client_secret", &oauth->client_secret},
            {"redirect_uri", &oauth->redirect_uri},
            {"tenant", &oauth->tenant},
            {"authority_url", &oauth->authority_url},
            {"authorization_url", &oauth->authorization_url},
            {"token_url", &oauth->token_url},
            {"revocation_url", &oauth->revocation_url},
            {"device_authorization_url", &oauth->device_authorization_url}};
        for (const auto& [name, value] : fields) {
            if (!value->empty())
                client.AddMember(rapidjson::Value(name, a), text(*value), a);
        }
        if (oauth->requests_per_minute > 0)
            client.AddMember("requests_per_minute", oauth->requests_per_minute, a);
        set(doc, "oauth", std::move(client));
        if (!oauth->api_base_url.empty())
            set(doc, "api_base_url", text(oauth->api_base_url));
    }
    const json::NetworkConfig n = network_config(settings.network);
    rapidjson::Value network(rapidjson::kObjectType);
    network.AddMember("allow_private_addresses", n.allow_private_addresses, a);
    if (!n.ca_bundle.empty())
        network.AddMember("ca_bundle", text(n.ca_bundle), a);
    if (!n.proxy.empty())
        network.AddMember("proxy", text(n.proxy), a);
    network.AddMember("connect_timeout_seconds", n.connect_timeout_seconds, a);
    network.AddMember("total_timeout_seconds", n.total_timeout_seconds, a);
    network.AddMember("sync_timeout_seconds", n.sync_timeout_seconds, a);
    set(doc, "network", std::move(network));
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::unique_ptr<CalendarProvider>> make_default_provider(const ProviderContext& context,
                                                                const SyncSettings& settings,
                                                                const RequestBudgets& budgets) {
    auto document = provider_document(context.connection, context.credentials_json, settings);
    if (!document.ok())
        return document.error();
    auto config = json::parse_provider_config(document.value());
    if (!config.ok()) {
        Error e = config.error();
        e.message = "connection " + context.connection.id + ": " + e.message;
        return e;
    }
    config->network.cancel = context.cancel;
    config->request_budgets = budgets;
    auto made = providers::make_provider(config.value());
    if (!made.ok())
        return made.error();
    if (made->session) {
        // Keep the session alive as long as the provider, and persist every refresh.
        auto changed = context.credentials_changed;
        made->session->on_tokens_changed([changed](const net::TokenSet& tokens) {
            if (changed)
                changed(R"({"tokens": )" + json::write_tokens(providers::to_tokens_config(tokens)) +
                        "}");
        });
    }
    return std::move(made->provider);
}

}  // namespace calsync
