#include "sync/sync_run.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

#include "core/user_terms.hpp"
#include "sync/schedule.hpp"
#include "sync/sync_cursor.hpp"

namespace calsync::sync {

std::string calendar_label(const CalendarRecord& c) {
    return "calendar \"" + (c.calendar.name.empty() ? c.calendar.id : c.calendar.name) + "\"";
}

int severity(SyncState state) {
    switch (state) {
        case SyncState::needs_reauthorisation:
            return 4;
        case SyncState::error:
            return 3;
        case SyncState::rate_limited:
            return 2;
        case SyncState::calendar_gone:
            return 1;
        default:
            return 0;
    }
}

SyncState state_for(const Error& error) {
    switch (error.code) {
        case ErrorCode::auth:
            return SyncState::needs_reauthorisation;
        case ErrorCode::not_found:
            return SyncState::calendar_gone;
        case ErrorCode::rate_limited:
            return SyncState::rate_limited;
        default:
            return SyncState::error;
    }
}

namespace {

// Stores one change set with its cursor, in one transaction, and brings the engine's view
// of the calendar in line (an import calendar's).
Result<void> apply_read(SyncService::State& s, const ConnectionRecord& connection,
                        const CalendarRecord& calendar, const ChangeSet& c, SlotDiff* diff) {
    // A change's slot difference is against what the store holds: the engine is built
    // before the change lands (a sync that changes nothing does not build it).
    if (!c.upserts.empty() || !c.removals.empty() || c.full_resync) {
        auto ready = s.engine_ready();
        if (!ready.ok())
            return ready.error();
    }
    auto applied = s.store->apply_changes(connection.id, calendar.calendar.id, c);
    if (!applied.ok())
        return applied.error();
    if (!imports(calendar.direction) || !calendar.selected)
        return {};
    const std::string key = slot_calendar_key(connection.id, calendar.calendar.id);
    std::lock_guard<std::mutex> lock(s.engine_mutex);
    if (!s.engine_built)
        return {};  // nothing changed, nothing asked: the engine waits for a need
    s.engine.set_calendar_label(
        key, calendar.calendar.name.empty() ? calendar.calendar.id : calendar.calendar.name);
    SlotDiff changed;  // this change set's, kept in the store before it joins *diff
    const auto add = [&changed](const SlotDiff& d) {
        changed.added.insert(changed.added.end(), d.added.begin(), d.added.end());
        changed.removed.insert(changed.removed.end(), d.removed.begin(), d.removed.end());
    };
    if (applied->replaced) {
        std::vector<Event> events = c.upserts;
        for (Event& e : events)
            e.calendar_id = key;
        add(s.engine.replace_calendar(key, events));
    } else {
        std::unordered_map<std::string, const Event*> by_id;
        for (const Event& e : c.upserts)
            by_id[e.id] = &e;
        for (const std::string& id : applied->upserted) {
            auto it = by_id.find(id);
            if (it == by_id.end())
                continue;
            Event e = *it->second;
            e.calendar_id = key;
            add(s.engine.upsert(e));
        }
        for (const std::string& id : applied->removed)
            add(s.engine.remove(key, id));
    }
    s.availability.reset();
    std::vector<std::string> events = applied->upserted;
    events.insert(events.end(), applied->removed.begin(), applied->removed.end());
    s.keep_slots(changed, key, applied->replaced, events);
    diff->added.insert(diff->added.end(), changed.added.begin(), changed.added.end());
    diff->removed.insert(diff->removed.end(), changed.removed.begin(), changed.removed.end());
    return {};
}

// The periodic full read (ScheduleSettings::full_read_every), after an incremental one:
// the whole calendar, compared with what the store holds, replaces it. What differs is
// what the server's change reports missed (DAViCal answers a sync token it no longer
// knows with an ordinary listing instead of 403, RFC 6578 3.2, so a deletion made
// meanwhile is never reported); it is counted and logged. A failed full read leaves the
// incremental one standing, and is tried again at the next sync.
void read_in_full(SyncService::State& s, const ConnectionRecord& connection,
                  CalendarProvider& provider, const CalendarRecord& calendar,
                  const TimeRange& window, SlotDiff* diff, CalendarRead* read) {
    auto whole = provider.fetch_changes(calendar.calendar.id, "", window);
    auto stored = s.store->load_events(connection.id, calendar.calendar.id);
    if (!whole.ok() || !stored.ok()) {
        s.log(LogLevel::warning, "connection " + connection.id + ", " + calendar_label(calendar) +
                                     ": the periodic full read failed, tried again next sync: " +
                                     (whole.ok() ? stored.error() : whole.error()).message);
        return;
    }
    ChangeSet& c = whole.value();
    c.full_resync = true;
    std::unordered_map<std::string, const Event*> held;
    for (const Event& e : stored.value())
        held[e.id] = &e;
    std::size_t changed = 0;
    for (const Event& e : c.upserts) {
        auto it = held.find(e.id);
        if (it == held.end() || it->second->etag != e.etag)
            ++changed;
        if (it != held.end())
            held.erase(it);
    }
    const std::size_t removed = held.size();  // held, and no longer on the server
    c.next_cursor = format_sync_cursor({c.next_cursor, window.end, s.now()});
    auto applied = apply_read(s, connection, calendar, c, diff);
    if (!applied.ok()) {
        read->error = applied.error();
        return;
    }
    read->unchanged_cursor.reset();  // the full read's cursor stands
    read->result.events_read += c.upserts.size();
    read->result.skipped = c.errors;
    read->result.corrected = changed + removed;
    if (changed + removed > 0)
        s.log(LogLevel::warning,
              "connection " + connection.id + ", " + calendar_label(calendar) +
                  ": the periodic full read corrected what the server's change reports had "
                  "missed: " +
                  counted(removed, "event") + " gone, " + std::to_string(changed) +
                  " new or changed");
}

// Whether the calendar's stored slots wait to be written whole (keep_slots): a read that
// found nothing still goes through apply_read then, which writes them.
bool slots_stale(SyncService::State& s, const ConnectionRecord& connection,
                 const CalendarRecord& calendar) {
    std::lock_guard<std::mutex> lock(s.engine_mutex);
    return s.slots_stale.count(slot_calendar_key(connection.id, calendar.calendar.id)) != 0;
}

}  // namespace

CalendarRead read_calendar(SyncService::State& s, const ConnectionRecord& connection,
                           CalendarProvider& provider, const CalendarRecord& calendar,
                           const TimeRange& window, SlotDiff* diff) {
    CalendarRead read;
    read.result.calendar_id = calendar.calendar.id;
    SyncCursor cursor = parse_sync_cursor(calendar.cursor);
    if (provider.capabilities().windowed_reads && !cursor.provider_cursor.empty() &&
        cursor.window_end + s.options.settings.schedule.refresh_window_after < window.end)
        cursor = {};  // the cursor's window fell behind: read the calendar afresh
    const bool asked_full = cursor.provider_cursor.empty();
    auto changes = provider.fetch_changes(calendar.calendar.id, cursor.provider_cursor, window);
    if (!changes.ok()) {
        read.error = changes.error();
        read.error->message = calendar_label(calendar) + ": " + read.error->message;
        return read;
    }
    ChangeSet& c = changes.value();
    const bool full = asked_full || c.full_resync;
    const Instant now = s.now();
    c.next_cursor = format_sync_cursor(
        {c.next_cursor, full ? window.end : cursor.window_end, full ? now : cursor.last_full});
    if (!full && c.moves_cursor_only() && !slots_stale(s, connection, calendar)) {
        read.unchanged_cursor = c.next_cursor;
    } else {
        auto applied = apply_read(s, connection, calendar, c, diff);
        if (!applied.ok()) {
            read.error = applied.error();
            return read;
        }
    }
    read.result.events_read = c.upserts.size() + c.removals.size();
    read.result.skipped = c.errors;
    const auto every = s.options.settings.schedule.full_read_every;
    if (!full && every.count() > 0 && now - cursor.last_full >= every) {
        read_in_full(s, connection, provider, calendar, window, diff, &read);
        if (read.error)
            return read;
    }
    if (!imports(calendar.direction) || !calendar.selected)
        return read;
    // Events the engine could not expand (a broken RRULE) are reported like unreadable ones;
    // those it left out for its occurrence limits, on their own.
    const std::string key = slot_calendar_key(connection.id, calendar.calendar.id);
    std::lock_guard<std::mutex> lock(s.engine_mutex);
    const auto report = [&](const std::vector<EventError>& found, std::vector<EventError>* into) {
        for (EventError e : found) {
            e.calendar_id = calendar.calendar.id;
            into->push_back(e);
        }
    };
    report(s.engine.errors(key), &read.result.skipped);
    report(s.engine.capped(key), &read.result.capped);
    return read;
}

Result<SyncReport> sync_connection(SyncService::State& s, const std::string& connection_id,
                                   bool with_exports) {
    const DeferredCallbacks callbacks;  // before the locks: delivered after they are released
    if (!s.options.only_connection.empty() && connection_id != s.options.only_connection)
        return make_error(ErrorCode::invalid_argument, "connection " + connection_id +
                                                           ": this service syncs connection " +
                                                           s.options.only_connection + " only");
    auto live = s.live_connection(connection_id);
    std::lock_guard<std::mutex> turn(live->sync_mutex);
    // settings.keep_idle_connections false: the provider (its sockets) goes with the sync.
    struct ProviderRelease {
        LiveConnection& live;
        bool release;
        ~ProviderRelease() {
            if (release)
                live.provider.reset();
        }
    } const release{*live, !s.options.settings.keep_idle_connections};
    // One deadline for the whole sync: every request and retry wait of every calendar.
    auto deadline = s.operation_deadline();
    auto connection = s.active_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    auto window_ok = s.keep_window_current();
    if (!window_ok.ok())
        return window_ok.error();
    auto stored_status = s.store->get_connection_status(connection_id);
    if (!stored_status.ok())
        return stored_status.error();
    const Instant now = s.now();
    const TimeRange window = s.window();
    SyncReport report;
    report.connection_id = connection_id;
    SyncStatus status = stored_status.value();
    status.last_attempt = now;

    std::optional<Error> worst;
    bool throttled = false;  // a rate limit: no further request in this sync
    const auto note = [&worst](const Error& e) {
        if (!worst || severity(state_for(e)) > severity(state_for(*worst)))
            worst = e;
    };
    auto provider = s.provider(*live, connection.value());
    auto calendars = s.store->list_calendars(connection_id);
    // The calendars' statuses are written with the connection's, in one transaction at the
    // end: a sync's status is one record of one moment, and costs one round of writes.
    std::map<std::string, SyncStatus> old_statuses;
    SyncEnd ending;  // what the sync stores as it ends; its cursors: the quiet reads
    if (!provider.ok()) {
        note(provider.error());
    } else if (!calendars.ok()) {
        return calendars.error();
    } else {
        auto old = s.store->list_calendar_statuses(connection_id);
        if (old.ok())
            old_statuses = std::move(old).value();
        std::vector<const CalendarRecord*> readable;
        for (const CalendarRecord& cal : calendars.value()) {
            if (!cal.selected || (!with_exports && !imports(cal.direction)))
                continue;
            CalendarRead read =
                read_calendar(s, connection.value(), *provider.value(), cal, window, &report.slots);
            // The service is shutting down: what was stored stays as it was, status included.
            if (read.error && read.error->code == ErrorCode::cancelled)
                return *read.error;
            SyncStatus cal_status;
            if (old_statuses.count(cal.calendar.id) != 0)
                cal_status = old_statuses.at(cal.calendar.id);
            cal_status.last_attempt = now;
            if (read.error) {
                note(*read.error);
                cal_status.state = state_for(*read.error);
                cal_status.last_error = read.error->message;
                ++cal_status.consecutive_failures;
            } else {
                readable.push_back(&cal);
                cal_status.state = SyncState::ok;
                cal_status.last_error.clear();
                cal_status.last_success = now;
                cal_status.consecutive_failures = 0;
                cal_status.events_read = static_cast<std::int64_t>(read.result.events_read);
            }
            read.result.status = cal_status;
            report.calendars.push_back(read.result);
            if (read.unchanged_cursor)
                ending.cursors[cal.calendar.id] = *read.unchanged_cursor;
            if (read.error && read.error->code == ErrorCode::auth)
                break;  // the other calendars would be refused alike
            if (read.error && read.error->code == ErrorCode::rate_limited) {
                // The service asked this client to wait (Outlook throttles per app and
                // mailbox, Google per user): a request before Retry-After would be refused
                // too, and prolongs the penalty. Nothing more until next_due.
                throttled = true;
                break;
            }
        }
        if (with_exports && !throttled) {
            for (const CalendarRecord* cal : readable) {
                if (!exports(cal->direction) || !cal->calendar.can_write)
                    continue;
                std::vector<Error> problems;
                const std::size_t written = run_exports(s, connection.value(), *provider.value(),
                                                        *cal, window, &report.slots, &problems);
                for (const Error& e : problems) {
                    note(e);
                    throttled = throttled || e.code == ErrorCode::rate_limited;
                }
                auto it = std::find_if(report.calendars.begin(), report.calendars.end(),
                                       [cal](const CalendarSyncResult& r) {
                                           return r.calendar_id == cal->calendar.id;
                                       });
                if (it != report.calendars.end()) {
                    it->exports_written = written;
                    // A write the calendar refused (it became read-only, say) is that
                    // calendar's failure, in its status as a failed read would be.
                    const auto worst_here = std::max_element(
                        problems.begin(), problems.end(), [](const Error& a, const Error& b) {
                            return severity(state_for(a)) < severity(state_for(b));
                        });
                    if (worst_here != problems.end()) {
                        it->status.state = state_for(*worst_here);
                        it->status.last_error = worst_here->message;
                        ++it->status.consecutive_failures;
                    }
                }
                status.events_exported += static_cast<std::int64_t>(written);
                if (throttled)
                    break;
            }
        }
    }

    if (calendars.ok() && !s.cancel->cancelled())
        s.keep_slot_windows(connection.value(), calendars.value());
    if (worst && s.cancel->cancelled())
        return make_error(ErrorCode::cancelled,
                          "connection " + connection_id + ": cancelled, the client is closing");
    const std::int64_t read_count =
        std::accumulate(report.calendars.begin(), report.calendars.end(), std::int64_t{0},
                        [](std::int64_t n, const CalendarSyncResult& r) {
                            return n + static_cast<std::int64_t>(r.events_read);
                        });
    status.events_read += read_count;
    {
        std::lock_guard<std::mutex> lock(s.random_mutex);
        if (!worst) {
            status.state = SyncState::ok;
            status.last_error.clear();
            status.last_success = now;
            status.consecutive_failures = 0;
            status.next_due = next_after_success(now, s.options.settings.schedule, s.random);
        } else {
            status.state = state_for(*worst);
            status.last_error = worst->message;
            ++status.consecutive_failures;
            if (status.state == SyncState::needs_reauthorisation)
                status.next_due.reset();  // only a new sign-in helps
            else
                status.next_due =
                    next_after_failure(now, status.consecutive_failures, worst->retry_after,
                                       s.options.settings.schedule, s.random);
        }
    }
    // A calendar removed meanwhile (by the host) has no cursor or status to keep: passed over.
    for (const CalendarSyncResult& r : report.calendars)
        ending.calendar_statuses[r.calendar_id] = r.status;
    ending.status = status;
    auto put = s.store->put_sync_end(connection_id, ending);
    if (!put.ok())
        return put.error();
    report.status = status;
    report.slots = SyncService::State::net(std::move(report.slots));
    deadline.reset();  // the host's callback is not part of this sync's time
    s.log(worst ? LogLevel::warning : LogLevel::info,
          "connection " + connection_id + ": " + to_string(status.state) + ", " +
              counted(static_cast<std::size_t>(read_count), "change") + " read, " +
              counted(report.slots.added.size(), "slot") + " added, " +
              std::to_string(report.slots.removed.size()) + " removed" +
              (worst ? ": " + worst->message : ""));
    s.slots_changed(connection_id, report.slots);
    return report;
}

}  // namespace calsync::sync
