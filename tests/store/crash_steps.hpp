// The deterministic work of the crash test: step k is one transaction of a change set
// (now and then a full resync), an appointment, its export intent and the status. The
// writer runs the steps; the test replays them on a MemoryStore to know what a database
// stopped after step k must hold.
#pragma once

#include <string>

#include "calsync/store.hpp"
#include "random_events.hpp"

namespace calsync::test {

constexpr const char* kCrashConnection = "crash";
constexpr const char* kCrashCalendar = "cal";

inline ChangeSet crash_change_set(int k) {
    EventFactory factory(static_cast<std::uint32_t>(k));
    ChangeSet c;
    c.full_resync = k % 10 == 1;
    const int count = c.full_resync ? 200 : 40;
    for (int j = 0; j < count; ++j) {
        const int n = c.full_resync ? j : (k * 37 + j * 11) % 300;
        Event e = factory.make(kCrashCalendar, "e" + std::to_string(n));
        e.summary = "step " + std::to_string(k);
        c.upserts.push_back(std::move(e));
    }
    if (!c.full_resync) {
        for (int j = 0; j < 6; ++j)
            c.removals.push_back("e" + std::to_string((k * 53 + j * 17) % 300));
    }
    c.next_cursor = "step-" + std::to_string(k);
    return c;
}

inline Result<void> ensure_crash_calendar(StateStore& s) {
    return s.transaction([&]() -> Result<void> {
        if (s.get_calendar(kCrashConnection, kCrashCalendar).ok())
            return {};
        ConnectionRecord c;
        c.id = kCrashConnection;
        c.account = "crash@example.com";
        auto r = s.put_connection(c);
        if (!r.ok())
            return r;
        CalendarRecord cal;
        cal.connection_id = kCrashConnection;
        cal.calendar.id = kCrashCalendar;
        cal.selected = true;
        cal.direction = CalendarDirection::both;
        return s.put_calendar(cal);
    });
}

// The step the store is at: its cursor says which was the last committed.
inline int crash_step_reached(StateStore& s) {
    auto cal = s.get_calendar(kCrashConnection, kCrashCalendar);
    if (!cal.ok() || cal->cursor.empty())
        return 0;
    return std::stoi(cal->cursor.substr(5));
}

inline Result<void> run_crash_step(StateStore& s, int k) {
    const ChangeSet changes = crash_change_set(k);
    return s.transaction([&]() -> Result<void> {
        auto applied = s.apply_changes(kCrashConnection, kCrashCalendar, changes);
        if (!applied.ok())
            return applied.error();
        Appointment a;
        a.id = "ap" + std::to_string(k);
        a.time = {instant_from_unix(1775000000 + k * 3600),
                  instant_from_unix(1775003600 + k * 3600)};
        a.client = "client " + std::to_string(k);
        auto put = s.put_appointment(a, instant_from_unix(k));
        if (!put.ok())
            return put.error();
        ExportRecord e;
        e.key = {a.id, kCrashConnection, kCrashCalendar};
        e.remote_id = "/dav/cal/" + a.id + ".ics";
        e.intent = ExportIntent::create;
        e.intent_hash = "hash-" + std::to_string(k);
        e.updated_at = instant_from_unix(k);
        auto exported = s.put_export(e);
        if (!exported.ok())
            return exported;
        SyncStatus st;
        st.state = SyncState::ok;
        st.events_read = k;
        st.last_success = instant_from_unix(k);
        return s.put_connection_status(kCrashConnection, st);
    });
}

}  // namespace calsync::test
