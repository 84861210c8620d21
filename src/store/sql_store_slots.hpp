// SqlStore's blocked slots (template definitions: included by sqlite_store.cpp and
// pg_store.cpp only). Overlap reads use the index by start: a slot is never longer than
// its event, so the scan is bounded by start_at < range.end.
#pragma once

#include "store/sql_store.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {

template <class Db>
Result<void> SqlStore<Db>::apply_slot_changes(const std::string& connection_id,
                                              const std::string& calendar_id,
                                              const SlotChanges& changes) {
    static const char* const kOperation = "store blocked slot changes";
    auto ok = check_slot_changes(changes);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto known = require_calendar(kOperation, connection_id, calendar_id);
    if (!known.ok())
        return known;
    if (changes.replace_all) {
        auto done =
            run("DELETE FROM blocked_slots WHERE business_id = ? AND connection_id = ? AND "
                "calendar_id = ?",
                kOperation, {connection_id, calendar_id});
        if (!done.ok())
            return done;
    } else {
        for (const std::string& event_id : changes.events) {
            auto done =
                run("DELETE FROM blocked_slots WHERE business_id = ? AND connection_id = ? AND "
                    "calendar_id = ? AND event_id = ?",
                    kOperation, {connection_id, calendar_id, event_id});
            if (!done.ok())
                return done;
        }
    }
    for (const BlockedSlot& slot : changes.slots) {
        auto q = business_query(
            "INSERT INTO blocked_slots (business_id, connection_id, calendar_id, event_id, "
            "recurrence_id, start_at, end_at, label, all_day, tentative) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            kOperation);
        if (!q.ok())
            return q.error();
        auto done = q->bind(connection_id)
                        .bind(calendar_id)
                        .bind(slot.event_id)
                        .bind(slot.recurrence_id)
                        .bind(slot.range.start)
                        .bind(slot.range.end)
                        .bind(slot.label)
                        .bind(slot.all_day)
                        .bind(slot.tentative)
                        .run();
        if (!done.ok())
            return done;
    }
    return tx->commit();
}

template <class Db>
Result<std::vector<BlockedSlot>> SqlStore<Db>::list_blocked_slots(const TimeRange& range) {
    Lock lock(mutex_);
    auto q = business_query(
        "SELECT calendar_id, event_id, recurrence_id, start_at, end_at, label, all_day, "
        "tentative FROM blocked_slots WHERE business_id = ? AND start_at < ? AND end_at > ? "
        "ORDER BY start_at, end_at, calendar_id, event_id, recurrence_id",
        "read blocked slots");
    if (!q.ok())
        return q.error();
    return q->bind(range.end).bind(range.start).collect([](const Query& r) -> Result<BlockedSlot> {
        BlockedSlot slot;
        slot.calendar_id = r.text(0);
        slot.event_id = r.text(1);
        slot.recurrence_id = r.instant(2);
        slot.range = {r.instant(3), r.instant(4)};
        slot.label = r.text(5);
        slot.all_day = r.boolean(6);
        slot.tentative = r.boolean(7);
        return slot;
    });
}

}  // namespace calsync::store
