#include "store/fenced_store.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace calsync::store {
namespace {

class FencedStore final : public StateStore {
  public:
    FencedStore(std::unique_ptr<StateStore> inner, LeaseGuard guard,
                std::string leased_connection_id, std::shared_ptr<std::atomic<bool>> released,
                std::optional<ConnectionSnapshot> first_reads)
        : inner_(std::move(inner)),
          guard_(std::move(guard)),
          leased_connection_id_(std::move(leased_connection_id)),
          released_(std::move(released)) {
        if (first_reads)
            std::call_once(leased_read_,
                           [&] { keep(leased_connection_id_, *first_reads, generation_); });
    }

    Result<void> transaction(const std::function<Result<void>()>& fn) override {
        forget(kEverything);
        auto done = fenced([&] { return fn(); });
        forget(kEverything);  // a rolled-back write may have been kept meanwhile
        return done;
    }

    Result<void> put_connection(const ConnectionRecord& c) override {
        return write([&] { return inner_->put_connection(c); });
    }
    Result<ConnectionRecord> get_connection(const std::string& id) override {
        return kept(&Kept::connections, id, [&] { return inner_->get_connection(id); });
    }
    Result<std::vector<ConnectionRecord>> list_connections() override {
        return inner_->list_connections();
    }
    Result<std::optional<ConnectionRecord>> find_connection(ProviderKind kind,
                                                            const std::string& account) override {
        return inner_->find_connection(kind, account);
    }
    Result<void> set_credentials(const std::string& id, const std::string& sealed) override {
        return write([&] { return inner_->set_credentials(id, sealed); });
    }
    Result<void> disconnect_connection(const std::string& id) override {
        return write([&] { return inner_->disconnect_connection(id); });
    }
    Result<void> remove_connection(const std::string& id) override {
        return write([&] { return inner_->remove_connection(id); });
    }

    Result<void> put_calendar(const CalendarRecord& c) override {
        return write([&] { return inner_->put_calendar(c); });
    }
    Result<CalendarRecord> get_calendar(const std::string& connection_id,
                                        const std::string& calendar_id) override {
        return inner_->get_calendar(connection_id, calendar_id);
    }
    Result<std::vector<CalendarRecord>> list_calendars(const std::string& connection_id) override {
        return kept(&Kept::calendars, connection_id,
                    [&] { return inner_->list_calendars(connection_id); });
    }
    Result<void> remove_calendar(const std::string& connection_id,
                                 const std::string& calendar_id) override {
        return write([&] { return inner_->remove_calendar(connection_id, calendar_id); });
    }

    Result<AppliedChanges> apply_changes(const std::string& connection_id,
                                         const std::string& calendar_id,
                                         const ChangeSet& changes) override {
        return write([&] { return inner_->apply_changes(connection_id, calendar_id, changes); },
                     kEverything,
                     changes.moves_cursor_only() ? Nested::join : Nested::own_transaction);
    }
    Result<std::vector<Event>> load_events(const std::string& connection_id,
                                           const std::string& calendar_id) override {
        return inner_->load_events(connection_id, calendar_id);
    }

    Result<AppointmentRecord> put_appointment(const Appointment& a, Instant now) override {
        return write([&] { return inner_->put_appointment(a, now); });
    }
    Result<AppointmentRecord> get_appointment(const std::string& id) override {
        return inner_->get_appointment(id);
    }
    Result<std::vector<AppointmentRecord>> list_appointments() override {
        return inner_->list_appointments();
    }
    Result<std::vector<AppointmentRecord>> list_appointments_since(std::int64_t revision) override {
        return inner_->list_appointments_since(revision);
    }

    Result<void> put_export(const ExportRecord& record) override {
        return write([&] { return inner_->put_export(record); });
    }
    Result<ExportRecord> get_export(const ExportKey& key) override {
        return inner_->get_export(key);
    }
    Result<void> remove_export(const ExportKey& key) override {
        return write([&] { return inner_->remove_export(key); });
    }
    Result<std::vector<ExportRecord>> list_exports(const std::string& connection_id,
                                                   const std::string& calendar_id) override {
        return inner_->list_exports(connection_id, calendar_id);
    }
    Result<ExportInputs> read_export_inputs(const std::string& connection_id,
                                            const std::string& calendar_id) override {
        return inner_->read_export_inputs(connection_id, calendar_id);
    }
    Result<std::vector<ExportRecord>> list_connection_exports(
        const std::string& connection_id) override {
        return inner_->list_connection_exports(connection_id);
    }
    Result<std::vector<ExportRecord>> list_appointment_exports(
        const std::string& appointment_id) override {
        return inner_->list_appointment_exports(appointment_id);
    }

    Result<void> put_connection_status(const std::string& connection_id,
                                       const SyncStatus& status) override {
        return write([&] { return inner_->put_connection_status(connection_id, status); },
                     kStatuses, Nested::join);
    }
    Result<SyncStatus> get_connection_status(const std::string& connection_id) override {
        return kept(&Kept::connection_statuses, connection_id,
                    [&] { return inner_->get_connection_status(connection_id); });
    }
    Result<std::map<std::string, SyncStatus>> list_connection_statuses() override {
        return inner_->list_connection_statuses();
    }
    Result<void> put_calendar_status(const std::string& connection_id,
                                     const std::string& calendar_id,
                                     const SyncStatus& status) override {
        return write(
            [&] { return inner_->put_calendar_status(connection_id, calendar_id, status); },
            kStatuses, Nested::join);
    }
    Result<std::map<std::string, SyncStatus>> list_calendar_statuses(
        const std::string& connection_id) override {
        return kept(&Kept::calendar_statuses, connection_id,
                    [&] { return inner_->list_calendar_statuses(connection_id); });
    }

    Result<void> put_pending_authorization(const PendingAuthorization& pending) override {
        return write([&] { return inner_->put_pending_authorization(pending); });
    }
    Result<PendingAuthorization> take_pending_authorization(const std::string& state,
                                                            Instant now) override {
        return write([&] { return inner_->take_pending_authorization(state, now); });
    }
    Result<bool> spend_nonce(const std::string& nonce, Instant expires_at, Instant now) override {
        return write([&] { return inner_->spend_nonce(nonce, expires_at, now); });
    }

    Result<void> put_push_channel(const PushChannel& channel) override {
        return write([&] { return inner_->put_push_channel(channel); });
    }
    Result<PushChannel> get_push_channel(const std::string& channel_id) override {
        return inner_->get_push_channel(channel_id);
    }
    Result<void> remove_push_channel(const std::string& channel_id) override {
        return write([&] { return inner_->remove_push_channel(channel_id); });
    }
    Result<std::vector<PushChannel>> list_push_channels(const std::string& connection_id) override {
        return kept(&Kept::push_channels, connection_id,
                    [&] { return inner_->list_push_channels(connection_id); });
    }
    Result<std::vector<PushChannel>> list_push_channels_expiring(Instant before) override {
        return inner_->list_push_channels_expiring(before);
    }

    Result<void> put_business_settings(const std::string& settings_json) override {
        return write([&] { return inner_->put_business_settings(settings_json); });
    }
    Result<std::optional<std::string>> find_business_settings() override {
        return kept(&Kept::business_settings, std::string(),
                    [&] { return inner_->find_business_settings(); });
    }

    Result<void> apply_slot_changes(const std::string& connection_id,
                                    const std::string& calendar_id,
                                    const SlotChanges& changes) override {
        return write(
            [&] { return inner_->apply_slot_changes(connection_id, calendar_id, changes); },
            kSlotWindows);
    }
    Result<std::vector<StoredSlot>> list_blocked_slots(const TimeRange& range) override {
        return inner_->list_blocked_slots(range);
    }
    Result<std::optional<TimeRange>> find_slot_window(const std::string& connection_id,
                                                      const std::string& calendar_id) override {
        read_leased_together();
        {
            std::lock_guard<std::mutex> lock(kept_mutex_);
            auto it = kept_.slot_windows.find(connection_id);
            if (it != kept_.slot_windows.end()) {
                auto window = it->second.find(calendar_id);
                if (window == it->second.end())
                    return std::optional<TimeRange>();
                return std::optional<TimeRange>(window->second);
            }
        }
        return inner_->find_slot_window(connection_id, calendar_id);
    }

    Result<void> put_sync_end(const std::string& connection_id, const SyncEnd& end) override {
        // Joined to an enclosing transaction of the view's: the store's call fails whole or
        // not at all (store.hpp). The lease is then its holder's to finish, after that
        // transaction.
        if (connection_id != leased_connection_id_ || in_transaction_ == std::this_thread::get_id())
            return write([&] { return inner_->put_sync_end(connection_id, end); }, kEverything,
                         Nested::join);
        forget(kEverything);
        auto done = guard_.end_sync(end);
        forget(kEverything);
        if (done.ok())
            released_->store(true);
        return done;
    }

    Result<ConnectionSnapshot> read_connection_snapshot(const std::string& connection_id) override {
        std::uint64_t generation = 0;
        {
            std::lock_guard<std::mutex> lock(kept_mutex_);
            generation = generation_;
        }
        auto got = inner_->read_connection_snapshot(connection_id);
        if (got.ok())
            keep(connection_id, got.value(), generation);
        return got;
    }

  private:
    // The records a sync reads again and again (its connection, calendars, statuses,
    // business settings, push channels and slot windows), kept from one write to the next.
    // While the lease holds, the sync is their only fenced writer; a host's write meanwhile
    // is seen at the next sync, as it would be had it come a moment later. A view lives for
    // one sync.
    struct Kept {
        std::map<std::string, ConnectionRecord> connections;
        std::map<std::string, std::vector<CalendarRecord>> calendars;
        std::map<std::string, SyncStatus> connection_statuses;
        std::map<std::string, std::map<std::string, SyncStatus>> calendar_statuses;
        std::map<std::string, std::optional<std::string>> business_settings;  // key ""
        std::map<std::string, std::vector<PushChannel>> push_channels;
        // connection id -> calendar id -> window: only as the snapshot read them (a
        // calendar without one is absent), never one by one
        std::map<std::string, std::map<std::string, TimeRange>> slot_windows;
    };
    // What a write makes stale: each kind also what the ones before it make stale.
    enum Stale { kSlotWindows, kStatuses, kEverything };

    void forget(Stale stale) {
        std::lock_guard<std::mutex> lock(kept_mutex_);
        ++generation_;
        kept_.slot_windows.clear();
        if (stale == kSlotWindows)
            return;
        kept_.connection_statuses.clear();
        kept_.calendar_statuses.clear();
        if (stale == kEverything) {
            kept_.connections.clear();
            kept_.calendars.clear();
            kept_.business_settings.clear();
            kept_.push_channels.clear();
        }
    }

    // Keeps a snapshot read when the view's writes stood at `generation`, unless a write
    // began since.
    void keep(const std::string& connection_id, const ConnectionSnapshot& snapshot,
              std::uint64_t generation) {
        std::lock_guard<std::mutex> lock(kept_mutex_);
        // cppcheck-suppress knownConditionTrueFalse ; another thread writes meanwhile
        if (generation != generation_)
            return;
        kept_.business_settings[std::string()] = snapshot.business_settings;
        kept_.connections[connection_id] = snapshot.connection;
        kept_.connection_statuses[connection_id] = snapshot.status;
        kept_.calendars[connection_id] = snapshot.calendars;
        kept_.calendar_statuses[connection_id] = snapshot.calendar_statuses;
        kept_.push_channels[connection_id] = snapshot.push_channels;
        if (snapshot.slot_windows)
            kept_.slot_windows[connection_id] = *snapshot.slot_windows;
    }

    // The view's first kept read takes the leased connection's reads together. Once only:
    // after a write, each is read again on its own when asked. Other threads wait for it,
    // then find its records kept.
    void read_leased_together() {
        std::call_once(leased_read_, [this] {
            if (leased_connection_id_.empty())
                return;
            // A failure (an unknown connection) is reported by the read asked for.
            [[maybe_unused]] auto ignored = read_connection_snapshot(leased_connection_id_);
        });
    }

    // The kept value of `key` in `table`, or `read`'s, kept when it succeeds and no write
    // began meanwhile (on another thread of the sync).
    template <class T, class Read>
    Result<T> kept(std::map<std::string, T> Kept::*table, const std::string& key, Read read) {
        read_leased_together();
        std::uint64_t generation = 0;
        {
            std::lock_guard<std::mutex> lock(kept_mutex_);
            auto it = (kept_.*table).find(key);
            if (it != (kept_.*table).end())
                return it->second;
            generation = generation_;
        }
        Result<T> got = read();
        if (got.ok()) {
            std::lock_guard<std::mutex> lock(kept_mutex_);
            // cppcheck-suppress knownConditionTrueFalse ; another thread writes meanwhile
            if (generation == generation_)
                (kept_.*table)[key] = got.value();
        }
        return got;
    }

    // How a write inside this view's transaction runs: in a nested transaction of its own
    // (a savepoint: a failed write leaves the outer transaction as it was), or joining the
    // outer one, for a write of one statement, which fails whole or not at all.
    enum class Nested { own_transaction, join };

    // `fn` in a transaction of the inner view that checks the fence first; within one
    // already (on this thread) the fence was checked and is held, and is not checked again.
    Result<void> fenced(const std::function<Result<void>()>& fn,
                        Nested nested = Nested::own_transaction) {
        const bool inside = in_transaction_ == std::this_thread::get_id();
        if (inside && nested == Nested::join)
            return fn();
        return inner_->transaction([&]() -> Result<void> {
            if (inside)
                return fn();
            auto fence = guard_.check();
            if (!fence.ok())
                return fence;
            in_transaction_ = std::this_thread::get_id();
            auto done = fn();
            in_transaction_ = std::thread::id();
            return done;
        });
    }

    // `op` fenced; its result, or the first error.
    template <class Op>
    auto write(Op op, Stale stale = kEverything, Nested nested = Nested::own_transaction)
        -> decltype(op()) {
        using R = decltype(op());
        std::optional<R> out;
        forget(stale);
        auto done = fenced(
            [&]() -> Result<void> {
                out.emplace(op());
                if (!out->ok())
                    return out->error();
                return {};
            },
            nested);
        forget(stale);
        if (!done.ok())
            return done.error();
        return std::move(*out);
    }

    std::unique_ptr<StateStore> inner_;
    const LeaseGuard guard_;
    const std::string leased_connection_id_;
    const std::shared_ptr<std::atomic<bool>> released_;  // by put_sync_end
    std::once_flag leased_read_;                         // read_leased_together ran
    std::mutex kept_mutex_;
    Kept kept_;
    std::uint64_t generation_ = 0;  // writes begun, for kept()
    // The thread inside this view's transaction, if any.
    std::atomic<std::thread::id> in_transaction_{};
};

}  // namespace

Result<void> release_then_put_sync_end(StateStore& view,
                                       const std::function<Result<void>()>& release,
                                       const std::string& connection_id, const SyncEnd& end) {
    return view.transaction([&]() -> Result<void> {
        auto released = release();
        if (!released.ok())
            return released;
        return view.put_sync_end(connection_id, end);
    });
}

LeasedView make_fenced_store(std::unique_ptr<StateStore> inner, LeaseGuard guard,
                             std::string leased_connection_id,
                             std::optional<ConnectionSnapshot> first_reads) {
    auto released = std::make_shared<std::atomic<bool>>(false);
    LeasedView view;
    view.store = std::make_unique<FencedStore>(std::move(inner), std::move(guard),
                                               std::move(leased_connection_id), released,
                                               std::move(first_reads));
    view.released = [released] { return released->load(); };
    return view;
}

}  // namespace calsync::store
