// An in-process calendar service for the sync service's tests: calendars with revision
// logs (so cursors and incremental reads behave like sync tokens), etags, idempotent
// creates keyed by the export marker, and injectable faults. Several providers may share
// one MemoryAccount, as two accounts reaching one shared calendar do.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "calsync/provider.hpp"

namespace calsync::test {

struct MemoryAccount {
    struct Change {
        std::int64_t revision;
        std::string id;
        bool removed;
    };
    struct Cal {
        Calendar info;
        std::map<std::string, Event> events;  // by Event::id
        std::vector<Change> log;
        std::int64_t forgotten_before = 0;  // cursors older than this are expired
    };

    std::mutex mutex;
    std::map<std::string, Cal> calendars;
    std::int64_t revision = 0;
    int etag_counter = 0;

    void add_calendar(const Calendar& c) {
        std::lock_guard<std::mutex> lock(mutex);
        calendars[c.id].info = c;
    }
    // As another client (a phone, the web UI) writes: a new version with a new etag.
    void put(const std::string& calendar, Event e) {
        std::lock_guard<std::mutex> lock(mutex);
        put_locked(calendar, std::move(e));
    }
    void erase(const std::string& calendar, const std::string& id) {
        std::lock_guard<std::mutex> lock(mutex);
        erase_locked(calendar, id);
    }
    std::vector<Event> events(const std::string& calendar) {
        std::lock_guard<std::mutex> lock(mutex);
        std::vector<Event> out;
        for (const auto& [id, e] : calendars.at(calendar).events)
            out.push_back(e);
        return out;
    }
    // Makes every cursor issued so far expire (Google 410, an invalid sync-token).
    void expire_cursors(const std::string& calendar) {
        std::lock_guard<std::mutex> lock(mutex);
        calendars.at(calendar).forgotten_before = revision + 1;
    }

    void put_locked(const std::string& calendar, Event e) {
        Cal& c = calendars.at(calendar);
        e.calendar_id = calendar;
        e.etag = "\"e" + std::to_string(++etag_counter) + "\"";
        c.log.push_back({++revision, e.id, false});
        c.events[e.id] = std::move(e);
    }
    void erase_locked(const std::string& calendar, const std::string& id) {
        Cal& c = calendars.at(calendar);
        if (c.events.erase(id) != 0)
            c.log.push_back({++revision, id, true});
    }
};

class MemoryProvider : public CalendarProvider {
  public:
    // Called before each operation ("list", "fetch", "create", "update", "delete") with
    // the calendar id; an Error returned is the operation's result and nothing happens.
    using Fault =
        std::function<std::optional<Error>(const std::string& op, const std::string& cal)>;
    // Called after an operation took effect; an Error returned is what the caller sees (a
    // lost response: the write happened, the client does not know).
    using LostResponse = Fault;

    explicit MemoryProvider(std::shared_ptr<MemoryAccount> account)
        : account_(std::move(account)) {}

    Fault fault;
    LostResponse lost_response;
    // Events a read leaves out, as a windowed read (Google, Graph) leaves out what lies
    // outside its window.
    std::function<bool(const Event&)> hidden;
    int requests = 0;
    int writes = 0;

    Result<std::vector<Calendar>> list_calendars() override {
        ++requests;
        if (auto e = injected("list", ""))
            return *e;
        std::lock_guard<std::mutex> lock(account_->mutex);
        std::vector<Calendar> out;
        for (const auto& [id, c] : account_->calendars)
            out.push_back(c.info);
        return out;
    }

    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange&) override {
        ++requests;
        if (auto e = injected("fetch", calendar_id))
            return *e;
        std::lock_guard<std::mutex> lock(account_->mutex);
        auto it = account_->calendars.find(calendar_id);
        if (it == account_->calendars.end())
            return make_error(ErrorCode::not_found, "no calendar " + calendar_id);
        const MemoryAccount::Cal& c = it->second;
        ChangeSet out;
        out.next_cursor = std::to_string(account_->revision);
        std::int64_t since = -1;
        if (!cursor.empty())
            since = std::stoll(cursor);
        const auto shown = [this](const Event& e) { return !hidden || !hidden(e); };
        if (since < 0 || since + 1 < c.forgotten_before) {
            out.full_resync = true;
            for (const auto& [id, e] : c.events) {
                if (shown(e))
                    out.upserts.push_back(e);
            }
            return out;
        }
        std::map<std::string, bool> last;  // id -> removed, latest change wins
        for (const auto& change : c.log) {
            if (change.revision > since)
                last[change.id] = change.removed;
        }
        for (const auto& [id, removed] : last) {
            if (removed)
                out.removals.push_back(id);
            else if (shown(c.events.at(id)))
                out.upserts.push_back(c.events.at(id));
        }
        return out;
    }

    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override {
        ++requests;
        if (auto e = injected("create", calendar_id))
            return *e;
        RemoteEvent remote;
        {
            std::lock_guard<std::mutex> lock(account_->mutex);
            auto& c = account_->calendars.at(calendar_id);
            const std::string id = "ev-" + event.export_marker;
            auto existing = c.events.find(id);
            if (existing == c.events.end()) {
                Event e = event;
                e.id = id;
                account_->put_locked(calendar_id, e);
                ++writes;
            }
            // An earlier write of this appointment is returned, not duplicated.
            remote = {id, c.events.at(id).etag};
        }
        if (auto e = lost("create", calendar_id))
            return *e;
        return remote;
    }

    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override {
        ++requests;
        if (auto e = injected("update", calendar_id))
            return *e;
        RemoteEvent remote;
        {
            std::lock_guard<std::mutex> lock(account_->mutex);
            auto& c = account_->calendars.at(calendar_id);
            auto it = c.events.find(existing.id);
            if (it == c.events.end())
                return make_error(ErrorCode::not_found, "no event " + existing.id);
            if (!existing.etag.empty() && it->second.etag != existing.etag)
                return make_error(ErrorCode::conflict, "event " + existing.id + " changed");
            Event e = event;
            e.id = existing.id;
            account_->put_locked(calendar_id, e);
            ++writes;
            remote = {existing.id, c.events.at(existing.id).etag};
        }
        if (auto e = lost("update", calendar_id))
            return *e;
        return remote;
    }

    Result<void> delete_event(const std::string& calendar_id,
                              const RemoteEvent& existing) override {
        ++requests;
        if (auto e = injected("delete", calendar_id))
            return *e;
        {
            std::lock_guard<std::mutex> lock(account_->mutex);
            auto& c = account_->calendars.at(calendar_id);
            auto it = c.events.find(existing.id);
            if (it != c.events.end()) {
                if (!existing.etag.empty() && it->second.etag != existing.etag)
                    return make_error(ErrorCode::conflict, "event " + existing.id + " changed");
                account_->erase_locked(calendar_id, existing.id);
                ++writes;
            }
        }
        if (auto e = lost("delete", calendar_id))
            return *e;
        return {};
    }

    // By the identity create_event derives from the marker, hidden or not (a lookup by id
    // is no windowed read).
    Result<std::optional<RemoteEvent>> find_export(const std::string& calendar_id,
                                                   const std::string& appointment_id) override {
        ++requests;
        ++lookups;
        if (auto e = injected("find", calendar_id))
            return *e;
        std::lock_guard<std::mutex> lock(account_->mutex);
        const auto& c = account_->calendars.at(calendar_id);
        auto it = c.events.find("ev-" + appointment_id);
        if (it == c.events.end())
            return std::optional<RemoteEvent>{};
        return std::optional<RemoteEvent>(RemoteEvent{it->first, it->second.etag});
    }

    int lookups = 0;

  private:
    std::optional<Error> injected(const std::string& op, const std::string& cal) {
        return fault ? fault(op, cal) : std::nullopt;
    }
    std::optional<Error> lost(const std::string& op, const std::string& cal) {
        return lost_response ? lost_response(op, cal) : std::nullopt;
    }

    std::shared_ptr<MemoryAccount> account_;
};

}  // namespace calsync::test
