// StateStore and FleetStore in memory: every record of every business in standard maps
// (a MemoryDatabase) behind one recursive mutex (a transaction holds it, and the calls its
// function makes take it again). A StateStore is one business's view of a shared
// MemoryDatabase; a transaction keeps a copy of that business's state and puts it back
// when the function fails.
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "calsync/fleet.hpp"
#include "calsync/store.hpp"
#include "store/change_application.hpp"
#include "store/fenced_store.hpp"
#include "store/request_bucket.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

std::tuple<std::string, std::string, std::string> index_of(const ExportKey& k) {
    return {k.appointment_id, k.connection_id, k.calendar_id};
}

template <class Map, class Key>
Result<void> erase_key(Map& map, const Key& key) {
    map.erase(key);
    return {};
}

// A cached event and its stored form (the comparison apply_prepared makes).
struct HeldEvent {
    Event event;  // calendar_id set
    // cppcheck-suppress unusedStructMember ; read through EventsById's iterators
    std::string body;
};
using EventsById = std::map<std::string, HeldEvent>;

// One calendar's events as change_application's Table.
struct EventMap {
    EventsById& events;
    const std::string& calendar_id;

    Result<std::optional<std::string>> body(const std::string& id) const {
        auto it = events.find(id);
        return it == events.end() ? std::optional<std::string>() : it->second.body;
    }
    Result<std::vector<std::string>> ids() const {
        std::vector<std::string> all;
        all.reserve(events.size());
        for (const auto& [id, e] : events)
            all.push_back(id);
        return all;
    }
    Result<void> write(const PreparedEvent& e) {
        events[e.event->id] = HeldEvent{in_calendar(*e.event, calendar_id), e.body};
        return {};
    }
    Result<bool> erase(const std::string& id) { return events.erase(id) > 0; }
    // In memory: nothing to read ahead or hold back.
    static Result<void> prefetch(const std::vector<std::string>& /*ids*/) { return {}; }
    static Result<void> finish() { return {}; }
};

}  // namespace

struct CalendarData {
    CalendarRecord record;
    // Shared with the copies transactions keep, and copied only on a write (so a
    // transaction does not copy every cached event of the store).
    std::shared_ptr<EventsById> events = std::make_shared<EventsById>();
    std::optional<SyncStatus> status;
    // Shared the same way.
    std::shared_ptr<std::vector<BlockedSlot>> slots = std::make_shared<std::vector<BlockedSlot>>();
    std::optional<TimeRange> slot_window;  // SlotChanges::window
};
struct ConnectionData {
    ConnectionRecord record;
    std::optional<SyncStatus> status;
    // cppcheck-suppress unusedStructMember ; used through Result<ConnectionData*>
    std::map<std::string, CalendarData> calendars;
};
using ExportIndex = std::tuple<std::string, std::string, std::string>;
// One business's records.
struct State {
    std::map<std::string, ConnectionData> connections;
    std::map<std::string, AppointmentRecord> appointments;
    std::int64_t last_revision = 0;
    std::map<ExportIndex, ExportRecord> exports;
    std::map<std::string, PendingAuthorization> pending;
    std::map<std::string, Instant> nonces;
    std::map<std::string, PushChannel> channels;
    std::optional<std::string> settings_json;  // put_business_settings

    bool empty() const {
        return connections.empty() && appointments.empty() && pending.empty() && nonces.empty() &&
               !settings_json;
    }
};
// A connection's entry in the work queue (see sql_fleet.hpp for the same in SQL).
struct QueueEntry {
    std::optional<Instant> due_at;
    std::optional<Instant> requeue_at;
    std::optional<std::string> lease_owner;
    Instant lease_until{};
    std::int64_t fence = 0;
};
using QueueKey = std::pair<std::string, std::string>;  // business id, connection id

struct MemoryDatabase {
    std::recursive_mutex mutex;
    // Entries are never erased, so a view keeps a reference to its business's State.
    std::map<std::string, State> businesses;
    std::map<QueueKey, QueueEntry> queue;
};

// The queue entry `lease` names, when the lease is still its current one.
QueueEntry* held_entry(MemoryDatabase& db, const Lease& lease) {
    auto it = db.queue.find({lease.business_id, lease.connection_id});
    if (it == db.queue.end() || it->second.fence != lease.fence ||
        it->second.lease_owner != lease.owner)
        return nullptr;
    return &it->second;
}

// Releases `lease`; due next at `next_due` or at a requeue marked while it was held,
// whichever is earlier. lease_lost when its fence is stale.
Result<void> release_entry(MemoryDatabase& db, const Lease& lease, std::optional<Instant> next_due,
                           const char* operation) {
    Lock lock(db.mutex);
    QueueEntry* e = held_entry(db, lease);
    if (e == nullptr)
        return lease_lost(operation, lease);
    e->due_at =
        e->requeue_at && (!next_due || *e->requeue_at < *next_due) ? e->requeue_at : next_due;
    e->requeue_at.reset();
    e->lease_owner.reset();
    e->lease_until = Instant{};
    return {};
}

class MemoryStore final : public StateStore {
  public:
    MemoryStore(std::shared_ptr<MemoryDatabase> db, const std::string& business_id)
        : db_(std::move(db)), business_(business_id), state_(business_state(*db_, business_id)) {}

    Result<void> transaction(const std::function<Result<void>()>& fn) override {
        Lock lock(mutex_);
        State before = state_;
        // remove_connection() drops queue entries: those of this business are kept too.
        std::map<QueueKey, QueueEntry> queued;
        for (const auto& [key, entry] : db_->queue) {
            if (key.first == business_)
                queued.emplace(key, entry);
        }
        auto undo = [&] {
            state_ = std::move(before);
            for (auto& [key, entry] : queued)
                db_->queue[key] = std::move(entry);
        };
        Result<void> result;
        try {
            result = fn();
        } catch (...) {
            undo();
            throw;
        }
        if (!result.ok())
            undo();
        return result;
    }

    Result<void> put_connection(const ConnectionRecord& connection) override {
        auto ok = check_connection(connection);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        state_.connections[connection.id].record = connection;
        return {};
    }

    Result<ConnectionRecord> get_connection(const std::string& id) override {
        Lock lock(mutex_);
        auto c = connection("read a connection", id);
        if (!c.ok())
            return c.error();
        return c.value()->record;
    }

    Result<std::vector<ConnectionRecord>> list_connections() override {
        Lock lock(mutex_);
        std::vector<ConnectionRecord> all;
        for (const auto& [id, c] : state_.connections)
            all.push_back(c.record);
        return all;
    }

    Result<std::optional<ConnectionRecord>> find_connection(ProviderKind kind,
                                                            const std::string& account) override {
        Lock lock(mutex_);
        const ConnectionRecord* best = nullptr;
        for (const auto& [id, c] : state_.connections) {
            const ConnectionRecord& r = c.record;
            if (r.kind != kind || r.account != account)
                continue;
            if (best == nullptr ||
                std::tie(r.created_at, r.id) > std::tie(best->created_at, best->id))
                best = &r;
        }
        return best == nullptr ? std::optional<ConnectionRecord>() : *best;
    }

    Result<void> set_credentials(const std::string& connection_id,
                                 const std::string& sealed_credentials) override {
        Lock lock(mutex_);
        auto c = connection("store a connection's credentials", connection_id);
        if (!c.ok())
            return c.error();
        c.value()->record.sealed_credentials = sealed_credentials;
        return {};
    }

    Result<void> disconnect_connection(const std::string& id) override {
        Lock lock(mutex_);
        auto c = connection("disconnect a connection", id);
        if (!c.ok())
            return c.error();
        c.value()->record.state = ConnectionState::disconnected;
        c.value()->record.sealed_credentials.clear();
        c.value()->calendars.clear();
        drop_channels(id, nullptr);
        for (auto it = state_.pending.begin(); it != state_.pending.end();)
            it = it->second.connection_id == id ? state_.pending.erase(it) : std::next(it);
        return {};
    }

    Result<void> remove_connection(const std::string& id) override {
        Lock lock(mutex_);
        state_.connections.erase(id);
        db_->queue.erase({business_, id});
        drop_channels(id, nullptr);
        for (auto it = state_.pending.begin(); it != state_.pending.end();)
            it = it->second.connection_id == id ? state_.pending.erase(it) : std::next(it);
        for (auto it = state_.exports.begin(); it != state_.exports.end();)
            it = it->second.key.connection_id == id ? state_.exports.erase(it) : std::next(it);
        return {};
    }

    Result<void> put_calendar(const CalendarRecord& calendar) override {
        auto ok = check_calendar(calendar);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        auto c = connection("store a calendar", calendar.connection_id);
        if (!c.ok())
            return c.error();
        CalendarData& data = c.value()->calendars[calendar.calendar.id];
        const std::string cursor = data.record.cursor;
        data.record = calendar;
        data.record.cursor = cursor;
        return {};
    }

    Result<CalendarRecord> get_calendar(const std::string& connection_id,
                                        const std::string& calendar_id) override {
        Lock lock(mutex_);
        auto cal = calendar("read a calendar", connection_id, calendar_id);
        if (!cal.ok())
            return cal.error();
        return cal.value()->record;
    }

    Result<std::vector<CalendarRecord>> list_calendars(const std::string& connection_id) override {
        Lock lock(mutex_);
        auto c = connection("list the calendars", connection_id);
        if (!c.ok())
            return c.error();
        std::vector<CalendarRecord> all;
        for (const auto& [id, cal] : c.value()->calendars)
            all.push_back(cal.record);
        return all;
    }

    Result<void> remove_calendar(const std::string& connection_id,
                                 const std::string& calendar_id) override {
        Lock lock(mutex_);
        auto c = connection("remove a calendar", connection_id);
        if (!c.ok())
            return c.error();
        c.value()->calendars.erase(calendar_id);
        drop_channels(connection_id, &calendar_id);
        return {};
    }

    Result<AppliedChanges> apply_changes(const std::string& connection_id,
                                         const std::string& calendar_id,
                                         const ChangeSet& changes) override {
        auto prepared = prepare_changes(calendar_id, changes);
        if (!prepared.ok())
            return prepared.error();
        Lock lock(mutex_);
        auto cal = calendar("store a calendar's changes", connection_id, calendar_id);
        if (!cal.ok())
            return cal.error();
        // Nothing below fails (the set was checked and serialised above), so the calendar
        // changes as a whole. Events a transaction's copy still shares are copied first.
        std::shared_ptr<EventsById>& events = cal.value()->events;
        if (events.use_count() > 1)
            events = std::make_shared<EventsById>(*events);
        EventMap table{*events, calendar_id};
        auto applied = apply_prepared(table, prepared.value());
        if (applied.ok())
            cal.value()->record.cursor = prepared->cursor;
        return applied;
    }

    Result<std::vector<Event>> load_events(const std::string& connection_id,
                                           const std::string& calendar_id) override {
        Lock lock(mutex_);
        auto cal = calendar("read stored events", connection_id, calendar_id);
        if (!cal.ok())
            return cal.error();
        std::vector<Event> events;
        events.reserve(cal.value()->events->size());
        for (const auto& [id, e] : *cal.value()->events)
            events.push_back(e.event);
        return events;
    }

    Result<AppointmentRecord> put_appointment(const Appointment& appointment,
                                              Instant now) override {
        auto ok = check_appointment(appointment);
        if (!ok.ok())
            return ok.error();
        Lock lock(mutex_);
        auto it = state_.appointments.find(appointment.id);
        if (it != state_.appointments.end() &&
            same_appointment(it->second.appointment, appointment))
            return it->second;
        AppointmentRecord record{appointment, ++state_.last_revision, now};
        state_.appointments[appointment.id] = record;
        return record;
    }

    Result<AppointmentRecord> get_appointment(const std::string& id) override {
        Lock lock(mutex_);
        auto it = state_.appointments.find(id);
        if (it == state_.appointments.end())
            return not_found("read an appointment", "appointment '" + id + "'");
        return it->second;
    }

    Result<std::vector<AppointmentRecord>> list_appointments() override {
        Lock lock(mutex_);
        std::vector<AppointmentRecord> all;
        for (const auto& [id, a] : state_.appointments)
            all.push_back(a);
        return all;
    }

    Result<std::vector<AppointmentRecord>> list_appointments_since(std::int64_t revision) override {
        Lock lock(mutex_);
        std::vector<AppointmentRecord> changed;
        for (const auto& [id, a] : state_.appointments) {
            if (a.revision > revision)
                changed.push_back(a);
        }
        std::sort(changed.begin(), changed.end(),
                  [](const auto& a, const auto& b) { return a.revision < b.revision; });
        return changed;
    }

    Result<void> put_export(const ExportRecord& record) override {
        auto ok = check_export(record);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        auto c = connection("record an export", record.key.connection_id);
        if (!c.ok())
            return c.error();
        if (state_.appointments.count(record.key.appointment_id) == 0)
            return not_found("record an export", "appointment '" + record.key.appointment_id + "'");
        state_.exports[index_of(record.key)] = record;
        return {};
    }

    Result<ExportRecord> get_export(const ExportKey& key) override {
        Lock lock(mutex_);
        auto it = state_.exports.find(index_of(key));
        if (it == state_.exports.end())
            return not_found("read an export", export_key(key));
        return it->second;
    }

    Result<void> remove_export(const ExportKey& key) override {
        Lock lock(mutex_);
        return erase_key(state_.exports, index_of(key));
    }

    Result<std::vector<ExportRecord>> list_exports(const std::string& connection_id,
                                                   const std::string& calendar_id) override {
        Lock lock(mutex_);
        return exports_where([&](const ExportKey& k) {
            return k.connection_id == connection_id && k.calendar_id == calendar_id;
        });
    }

    Result<std::vector<ExportRecord>> list_connection_exports(
        const std::string& connection_id) override {
        Lock lock(mutex_);
        return exports_where([&](const ExportKey& k) { return k.connection_id == connection_id; });
    }

    Result<std::vector<ExportRecord>> list_appointment_exports(
        const std::string& appointment_id) override {
        Lock lock(mutex_);
        return exports_where(
            [&](const ExportKey& k) { return k.appointment_id == appointment_id; });
    }

    Result<void> put_connection_status(const std::string& connection_id,
                                       const SyncStatus& status) override {
        Lock lock(mutex_);
        auto c = connection("store a connection's status", connection_id);
        if (!c.ok())
            return c.error();
        c.value()->status = status;
        return {};
    }

    Result<SyncStatus> get_connection_status(const std::string& connection_id) override {
        Lock lock(mutex_);
        auto c = connection("read a connection's status", connection_id);
        if (!c.ok())
            return c.error();
        return c.value()->status.value_or(SyncStatus{});
    }

    Result<std::map<std::string, SyncStatus>> list_connection_statuses() override {
        Lock lock(mutex_);
        std::map<std::string, SyncStatus> all;
        for (const auto& [id, c] : state_.connections)
            all[id] = c.status.value_or(SyncStatus{});
        return all;
    }

    Result<void> put_calendar_status(const std::string& connection_id,
                                     const std::string& calendar_id,
                                     const SyncStatus& status) override {
        Lock lock(mutex_);
        auto cal = calendar("store a calendar's status", connection_id, calendar_id);
        if (!cal.ok())
            return cal.error();
        cal.value()->status = status;
        return {};
    }

    Result<std::map<std::string, SyncStatus>> list_calendar_statuses(
        const std::string& connection_id) override {
        Lock lock(mutex_);
        auto c = connection("read the calendars' statuses", connection_id);
        if (!c.ok())
            return c.error();
        std::map<std::string, SyncStatus> all;
        for (const auto& [id, cal] : c.value()->calendars)
            all[id] = cal.status.value_or(SyncStatus{});
        return all;
    }

    Result<void> put_pending_authorization(const PendingAuthorization& pending) override {
        auto ok = check_pending_authorization(pending);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        state_.pending[pending.state] = pending;
        return {};
    }

    Result<PendingAuthorization> take_pending_authorization(const std::string& state,
                                                            Instant now) override {
        Lock lock(mutex_);
        for (auto it = state_.pending.begin(); it != state_.pending.end();)
            it = it->second.expires_at <= now ? state_.pending.erase(it) : std::next(it);
        auto it = state_.pending.find(state);
        if (it == state_.pending.end())
            return not_found("take a pending sign-in",
                             "pending authorization for this state (unknown, used or expired)");
        PendingAuthorization taken = std::move(it->second);
        state_.pending.erase(it);
        return taken;
    }

    Result<bool> spend_nonce(const std::string& nonce, Instant expires_at, Instant now) override {
        Lock lock(mutex_);
        for (auto it = state_.nonces.begin(); it != state_.nonces.end();)
            it = it->second <= now ? state_.nonces.erase(it) : std::next(it);
        return state_.nonces.emplace(nonce, expires_at).second;
    }

    Result<void> put_push_channel(const PushChannel& channel) override {
        auto ok = check_push_channel(channel);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        auto cal = calendar("store a push channel", channel.connection_id, channel.calendar_id);
        if (!cal.ok())
            return cal.error();
        state_.channels[channel.channel_id] = channel;
        return {};
    }

    Result<PushChannel> get_push_channel(const std::string& channel_id) override {
        Lock lock(mutex_);
        auto it = state_.channels.find(channel_id);
        if (it == state_.channels.end())
            return not_found("read a push channel", "push channel '" + channel_id + "'");
        return it->second;
    }

    Result<void> remove_push_channel(const std::string& channel_id) override {
        Lock lock(mutex_);
        return erase_key(state_.channels, channel_id);
    }

    Result<std::vector<PushChannel>> list_push_channels(const std::string& connection_id) override {
        Lock lock(mutex_);
        std::vector<PushChannel> found;
        for (const auto& [id, ch] : state_.channels) {
            if (ch.connection_id == connection_id)
                found.push_back(ch);
        }
        return found;
    }

    Result<std::vector<PushChannel>> list_push_channels_expiring(Instant before) override {
        Lock lock(mutex_);
        std::vector<PushChannel> found;
        for (const auto& [id, ch] : state_.channels) {
            if (ch.expires_at < before)
                found.push_back(ch);
        }
        std::stable_sort(found.begin(), found.end(),
                         [](const auto& a, const auto& b) { return a.expires_at < b.expires_at; });
        return found;
    }

    Result<void> put_business_settings(const std::string& settings_json) override {
        Lock lock(mutex_);
        state_.settings_json = settings_json;
        return {};
    }

    Result<std::optional<std::string>> find_business_settings() override {
        Lock lock(mutex_);
        return state_.settings_json;
    }

    Result<void> apply_slot_changes(const std::string& connection_id,
                                    const std::string& calendar_id,
                                    const SlotChanges& changes) override {
        auto ok = check_slot_changes(changes);
        if (!ok.ok())
            return ok;
        Lock lock(mutex_);
        auto cal = calendar("store blocked slot changes", connection_id, calendar_id);
        if (!cal.ok())
            return cal.error();
        auto slots = std::make_shared<std::vector<BlockedSlot>>();
        if (!changes.replace_all) {
            const std::set<std::string> gone(changes.events.begin(), changes.events.end());
            for (const BlockedSlot& held : *cal.value()->slots) {
                if (gone.count(held.event_id) == 0)
                    slots->push_back(held);
            }
        }
        for (BlockedSlot slot : changes.slots) {
            slot.calendar_id = calendar_id;
            slots->push_back(std::move(slot));
        }
        cal.value()->slots = std::move(slots);
        if (changes.replace_all)
            cal.value()->slot_window = changes.window;
        return {};
    }

    Result<std::vector<StoredSlot>> list_blocked_slots(const TimeRange& range) override {
        Lock lock(mutex_);
        std::vector<StoredSlot> found;
        for (const auto& [cid, c] : state_.connections) {
            for (const auto& [id, cal] : c.calendars) {
                for (const BlockedSlot& slot : *cal.slots) {
                    if (slot.range.start < range.end && range.start < slot.range.end)
                        found.push_back({cid, slot});
                }
            }
        }
        std::sort(found.begin(), found.end());
        return found;
    }

    Result<std::optional<TimeRange>> find_slot_window(const std::string& connection_id,
                                                      const std::string& calendar_id) override {
        Lock lock(mutex_);
        auto cal = calendar("read a calendar's slot window", connection_id, calendar_id);
        if (!cal.ok())
            return std::optional<TimeRange>();
        return cal.value()->slot_window;
    }

    Result<ConnectionSnapshot> read_connection_snapshot(const std::string& connection_id) override {
        Lock lock(mutex_);
        auto snapshot = StateStore::read_connection_snapshot(connection_id);
        if (!snapshot.ok())
            return snapshot;
        auto& windows = snapshot->slot_windows.emplace();
        for (const auto& [calendar_id, cal] : state_.connections.at(connection_id).calendars) {
            if (cal.slot_window)
                windows.emplace(calendar_id, *cal.slot_window);
        }
        return snapshot;
    }

  private:
    Result<ConnectionData*> connection(const char* operation, const std::string& id) {
        auto it = state_.connections.find(id);
        if (it == state_.connections.end())
            return not_found(operation, connection_key(id));
        return &it->second;
    }

    Result<CalendarData*> calendar(const char* operation, const std::string& connection_id,
                                   const std::string& calendar_id) {
        auto c = connection(operation, connection_id);
        if (!c.ok())
            return c.error();
        auto it = c.value()->calendars.find(calendar_id);
        if (it == c.value()->calendars.end())
            return not_found(operation, calendar_key(connection_id, calendar_id));
        return &it->second;
    }

    void drop_channels(const std::string& connection_id, const std::string* calendar_id) {
        for (auto it = state_.channels.begin(); it != state_.channels.end();) {
            const bool match = it->second.connection_id == connection_id &&
                               (calendar_id == nullptr || it->second.calendar_id == *calendar_id);
            it = match ? state_.channels.erase(it) : std::next(it);
        }
    }

    template <class Keep>
    std::vector<ExportRecord> exports_where(Keep keep) const {
        std::vector<ExportRecord> found;
        for (const auto& [index, record] : state_.exports) {
            if (keep(record.key))
                found.push_back(record);
        }
        return found;
    }

    static State& business_state(MemoryDatabase& db, const std::string& business_id) {
        Lock lock(db.mutex);
        return db.businesses[business_id];
    }

    std::shared_ptr<MemoryDatabase> db_;
    std::recursive_mutex& mutex_ = db_->mutex;
    const std::string business_;
    State& state_;
};

class MemoryFleet final : public FleetStore {
  public:
    Result<std::unique_ptr<StateStore>> open_business(const std::string& business_id) override {
        auto valid = check_business_id(business_id);
        if (!valid.ok())
            return valid.error();
        return std::unique_ptr<StateStore>(std::make_unique<MemoryStore>(db_, business_id));
    }

    Result<LeasedView> open_leased(const Lease& lease) override {
        return leased(lease, std::nullopt);
    }
    Result<LeasedView> open_leased(const Lease& lease, ConnectionSnapshot first_reads) override {
        return leased(lease, std::move(first_reads));
    }

    Result<std::vector<std::string>> list_businesses() override {
        Lock lock(db_->mutex);
        std::vector<std::string> ids;
        for (const auto& [id, state] : db_->businesses) {
            if (!state.empty())
                ids.push_back(id);
        }
        return ids;
    }

    Result<std::vector<PushChannelOwner>> find_push_channel(
        const std::string& channel_id) override {
        Lock lock(db_->mutex);
        std::vector<PushChannelOwner> found;
        for (const auto& [id, state] : db_->businesses) {
            auto it = state.channels.find(channel_id);
            if (it != state.channels.end())
                found.push_back({id, it->second});
        }
        return found;
    }

    Result<void> mark_due(const std::string& business_id, const std::string& connection_id,
                          Instant due) override {
        Lock lock(db_->mutex);
        auto b = db_->businesses.find(business_id);
        if (b == db_->businesses.end() || b->second.connections.count(connection_id) == 0)
            return unknown_in_business("mark a connection due", connection_id, business_id);
        QueueEntry& e = db_->queue[{business_id, connection_id}];
        std::optional<Instant>& slot = e.lease_owner ? e.requeue_at : e.due_at;
        if (!slot || *slot > due)
            slot = due;
        return {};
    }

    Result<std::vector<Lease>> claim_due(const std::string& owner, Instant now,
                                         std::chrono::seconds lease_for, std::size_t max) override {
        if (owner.empty())
            return invalid("claim due connections", "the worker's owner name is empty");
        Lock lock(db_->mutex);
        std::vector<std::pair<QueueKey, QueueEntry*>> due;
        for (auto& [key, e] : db_->queue) {
            if (e.due_at && *e.due_at <= now && (!e.lease_owner || e.lease_until <= now))
                due.emplace_back(key, &e);
        }
        std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
            return *a.second->due_at < *b.second->due_at;
        });
        if (due.size() > max)
            due.resize(max);
        std::vector<Lease> leases;
        for (auto& [key, e] : due) {
            e->lease_owner = owner;
            e->lease_until = now + lease_for;
            ++e->fence;
            leases.push_back({key.first, key.second, owner, e->fence, *e->due_at, e->lease_until});
        }
        return leases;
    }

    Result<Lease> renew_lease(const Lease& lease, Instant now,
                              std::chrono::seconds lease_for) override {
        Lock lock(db_->mutex);
        QueueEntry* e = held_entry(*db_, lease);
        if (e == nullptr)
            return lease_lost("renew a worker's lease", lease);
        e->lease_until = now + lease_for;
        Lease renewed = lease;
        renewed.expires_at = e->lease_until;
        return renewed;
    }

    Result<void> finish_lease(const Lease& lease, std::optional<Instant> next_due) override {
        return release_entry(*db_, lease, next_due, "end a worker's lease");
    }

    Result<std::optional<Instant>> earliest_due(Instant now) override {
        Lock lock(db_->mutex);
        std::optional<Instant> earliest;
        for (const auto& [key, e] : db_->queue) {
            if (e.due_at && (!e.lease_owner || e.lease_until <= now) &&
                (!earliest || *e.due_at < *earliest))
                earliest = e.due_at;
        }
        return earliest;
    }

    Result<RequestGrant> take_requests(const std::string& key, RequestRate rate,
                                       std::int64_t wanted, PreciseInstant now) override {
        auto valid = check_request_take(key, rate, wanted);
        if (!valid.ok())
            return valid.error();
        Lock lock(db_->mutex);
        auto it = request_buckets_.find(key);
        if (it == request_buckets_.end())
            it = request_buckets_.emplace(key, full_request_bucket(rate, now)).first;
        return take_from_bucket(it->second, rate, wanted, now);
    }

  private:
    Result<LeasedView> leased(const Lease& lease, std::optional<ConnectionSnapshot> first_reads) {
        auto view = open_business(lease.business_id);
        if (!view.ok())
            return view.error();
        // Both run inside the view's transaction, which restores the business's queue
        // entries when it fails.
        LeaseGuard guard;
        guard.check = [db = db_, lease]() -> Result<void> {
            Lock lock(db->mutex);
            if (held_entry(*db, lease) == nullptr)
                return lease_lost("write to the store", lease);
            return {};
        };
        StateStore* raw = view->get();
        guard.end_sync = [raw, db = db_, lease](const SyncEnd& end) {
            auto release = [&] {
                return release_entry(*db, lease, end.status.next_due,
                                     "end a worker's lease with its sync");
            };
            return release_then_put_sync_end(*raw, release, lease.connection_id, end);
        };
        return make_fenced_store(std::move(view).value(), std::move(guard), lease.connection_id,
                                 std::move(first_reads));
    }

    std::shared_ptr<MemoryDatabase> db_ = std::make_shared<MemoryDatabase>();
    std::map<std::string, RequestBucket> request_buckets_;  // under db_->mutex
};

}  // namespace calsync::store

namespace calsync {

std::unique_ptr<StateStore> make_memory_store() {
    return std::make_unique<store::MemoryStore>(std::make_shared<store::MemoryDatabase>(),
                                                kDefaultBusiness);
}

std::unique_ptr<FleetStore> make_memory_fleet() {
    return std::make_unique<store::MemoryFleet>();
}

}  // namespace calsync
