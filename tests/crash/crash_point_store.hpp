// A StateStore that forwards every call to the real one and tells the crash test where a
// sync is: it announces phase changes on stdout ("phase export") and, when asked, stops
// dead at a named point ("pause written") so the parent's SIGKILL lands in exactly that
// window. The points are the steps of the export intent protocol (store.hpp) and the two
// sides of applying a change set:
//   fetched         apply_changes called: the calendar was read, nothing of it stored
//   applied         apply_changes returned: the change set and its cursor are committed
//   intent.<kind>   put_export with intent <kind> (create, update, remove) returned: the
//                   intent is durable, the remote write has not started
//   written.<kind>  the record of that intent being confirmed (put_export without an
//                   intent) or dropped (remove_export) is called: the remote write
//                   succeeded, the store does not know yet
// Which point, and at which of its hits, comes from CALSYNC_CRASH_PAUSE="<point>:<n>";
// "intent" and "written" alone match every kind.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "calsync/store.hpp"

namespace calsync::test {

// One line on stdout, written at once (the parent reads it through a pipe while this
// process may die any moment).
inline void announce(const std::string& line) {
    const std::string text = line + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

class CrashPointStore final : public StateStore {
  public:
    explicit CrashPointStore(std::unique_ptr<StateStore> inner) : inner_(std::move(inner)) {
        if (const char* spec = std::getenv("CALSYNC_CRASH_PAUSE")) {
            const std::string s = spec;
            const auto colon = s.find(':');
            pause_point_ = s.substr(0, colon);
            pause_hit_ = colon == std::string::npos ? 1 : std::atoi(s.c_str() + colon + 1);
        }
    }

    // The driver's own phases (booking, import, idle ...); export is detected here.
    void phase(const std::string& name) {
        if (name == phase_)
            return;
        phase_ = name;
        announce("phase " + name);
    }

    Result<void> transaction(const std::function<Result<void>()>& fn) override {
        return inner_->transaction(fn);
    }

    Result<void> put_connection(const ConnectionRecord& c) override {
        return inner_->put_connection(c);
    }
    Result<ConnectionRecord> get_connection(const std::string& id) override {
        return inner_->get_connection(id);
    }
    Result<std::vector<ConnectionRecord>> list_connections() override {
        return inner_->list_connections();
    }
    Result<std::optional<ConnectionRecord>> find_connection(ProviderKind kind,
                                                            const std::string& account) override {
        return inner_->find_connection(kind, account);
    }
    Result<void> set_credentials(const std::string& id, const std::string& sealed) override {
        return inner_->set_credentials(id, sealed);
    }
    Result<void> disconnect_connection(const std::string& id) override {
        return inner_->disconnect_connection(id);
    }
    Result<void> remove_connection(const std::string& id) override {
        return inner_->remove_connection(id);
    }

    Result<void> put_calendar(const CalendarRecord& c) override { return inner_->put_calendar(c); }
    Result<CalendarRecord> get_calendar(const std::string& connection_id,
                                        const std::string& calendar_id) override {
        return inner_->get_calendar(connection_id, calendar_id);
    }
    Result<std::vector<CalendarRecord>> list_calendars(const std::string& connection_id) override {
        return inner_->list_calendars(connection_id);
    }
    Result<void> remove_calendar(const std::string& connection_id,
                                 const std::string& calendar_id) override {
        return inner_->remove_calendar(connection_id, calendar_id);
    }

    Result<AppliedChanges> apply_changes(const std::string& connection_id,
                                         const std::string& calendar_id,
                                         const ChangeSet& changes) override {
        point("fetched");
        auto applied = inner_->apply_changes(connection_id, calendar_id, changes);
        point("applied");
        return applied;
    }
    Result<std::vector<Event>> load_events(const std::string& connection_id,
                                           const std::string& calendar_id) override {
        return inner_->load_events(connection_id, calendar_id);
    }

    Result<AppointmentRecord> put_appointment(const Appointment& a, Instant now) override {
        return inner_->put_appointment(a, now);
    }
    Result<AppointmentRecord> get_appointment(const std::string& id) override {
        return inner_->get_appointment(id);
    }
    Result<std::vector<AppointmentRecord>> list_appointments() override {
        return inner_->list_appointments();
    }
    Result<std::vector<AppointmentRecord>> list_appointments_since(std::int64_t r) override {
        return inner_->list_appointments_since(r);
    }

    Result<void> put_export(const ExportRecord& record) override {
        if (record.intent == ExportIntent::none) {
            written(record.key);
            auto put = inner_->put_export(record);
            trace(record);
            return put;
        }
        auto put = inner_->put_export(record);
        trace(record);
        pending_[key_text(record.key)] = record.intent;
        point(std::string("intent.") + to_string(record.intent));
        return put;
    }
    Result<ExportRecord> get_export(const ExportKey& key) override {
        return inner_->get_export(key);
    }
    Result<void> remove_export(const ExportKey& key) override {
        written(key);
        auto removed = inner_->remove_export(key);
        announce("record " + key.appointment_id + " removed");
        return removed;
    }
    Result<std::vector<ExportRecord>> list_exports(const std::string& connection_id,
                                                   const std::string& calendar_id) override {
        // The export runner's first read: planning begins.
        phase("export");
        return inner_->list_exports(connection_id, calendar_id);
    }
    Result<std::vector<ExportRecord>> list_connection_exports(const std::string& id) override {
        return inner_->list_connection_exports(id);
    }
    Result<std::vector<ExportRecord>> list_appointment_exports(const std::string& id) override {
        return inner_->list_appointment_exports(id);
    }

    Result<void> put_connection_status(const std::string& id, const SyncStatus& s) override {
        return inner_->put_connection_status(id, s);
    }
    Result<SyncStatus> get_connection_status(const std::string& id) override {
        return inner_->get_connection_status(id);
    }
    Result<std::map<std::string, SyncStatus>> list_connection_statuses() override {
        return inner_->list_connection_statuses();
    }
    Result<void> put_calendar_status(const std::string& connection_id,
                                     const std::string& calendar_id, const SyncStatus& s) override {
        return inner_->put_calendar_status(connection_id, calendar_id, s);
    }
    Result<std::map<std::string, SyncStatus>> list_calendar_statuses(
        const std::string& id) override {
        return inner_->list_calendar_statuses(id);
    }

    Result<void> put_pending_authorization(const PendingAuthorization& p) override {
        return inner_->put_pending_authorization(p);
    }
    Result<PendingAuthorization> take_pending_authorization(const std::string& state,
                                                            Instant now) override {
        return inner_->take_pending_authorization(state, now);
    }
    Result<bool> spend_nonce(const std::string& nonce, Instant expires_at, Instant now) override {
        return inner_->spend_nonce(nonce, expires_at, now);
    }

    Result<void> put_push_channel(const PushChannel& c) override {
        return inner_->put_push_channel(c);
    }
    Result<PushChannel> get_push_channel(const std::string& id) override {
        return inner_->get_push_channel(id);
    }
    Result<void> remove_push_channel(const std::string& id) override {
        return inner_->remove_push_channel(id);
    }
    Result<std::vector<PushChannel>> list_push_channels(const std::string& id) override {
        return inner_->list_push_channels(id);
    }
    Result<std::vector<PushChannel>> list_push_channels_expiring(Instant before) override {
        return inner_->list_push_channels_expiring(before);
    }
    Result<void> apply_slot_changes(const std::string& connection_id,
                                    const std::string& calendar_id,
                                    const SlotChanges& changes) override {
        return inner_->apply_slot_changes(connection_id, calendar_id, changes);
    }
    Result<std::vector<StoredSlot>> list_blocked_slots(const TimeRange& range) override {
        return inner_->list_blocked_slots(range);
    }
    Result<std::optional<TimeRange>> find_slot_window(const std::string& connection_id,
                                                      const std::string& calendar_id) override {
        return inner_->find_slot_window(connection_id, calendar_id);
    }

  private:
    // Each change of the export map, for the parent's log of a failed run.
    static void trace(const ExportRecord& r) {
        announce("record " + r.key.appointment_id + " " + to_string(r.intent) + " " + r.remote_id +
                 " etag " + r.etag + " hash " + r.content_hash + " -> " + r.intent_hash);
    }

    static std::string key_text(const ExportKey& k) {
        return k.appointment_id + "\n" + k.connection_id + "\n" + k.calendar_id;
    }

    // The write an intent of this process announced is done; records changed without one
    // (accept_remote, forget_record) are no window of the protocol.
    void written(const ExportKey& key) {
        auto it = pending_.find(key_text(key));
        if (it == pending_.end())
            return;
        const ExportIntent intent = it->second;
        pending_.erase(it);
        point(std::string("written.") + to_string(intent));
    }

    // At the chosen hit of the chosen point: says so and waits to be killed.
    void point(const std::string& name) {
        const bool chosen = pause_point_ == name || pause_point_ == name.substr(0, name.find('.'));
        if (!chosen || ++hits_ != pause_hit_)
            return;
        announce("pause " + name);
        for (;;)
            pause();  // SIGKILL ends it
    }

    std::unique_ptr<StateStore> inner_;
    std::map<std::string, ExportIntent> pending_;  // intents stored by this process
    std::string phase_;
    std::string pause_point_;
    int pause_hit_ = 0;
    int hits_ = 0;
};

}  // namespace calsync::test
