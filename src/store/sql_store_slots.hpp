// SqlStore's blocked slots (template definitions: included by sqlite_store.cpp and
// pg_store.cpp only). Each calendar's row in slot_windows keeps the window its slots were
// last written whole for and the longest slot it held since (reset by each whole write):
// an overlap read scans the index by start from range.start minus the business's longest
// slot to range.end, and nothing before.
#pragma once

#include <algorithm>
#include <array>

#include "store/sql_store.hpp"
#include "store/sql_store_records.hpp"  // sql_detail::sql
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
    // The writes below go out together with the commit (run_batched): nothing here needs
    // an answer before it.
    auto batched = [&](const char* text, std::initializer_list<std::string_view> values) {
        auto q = business_query(text, kOperation, values);
        return q.ok() ? q->run_batched() : Result<void>(q.error());
    };
    if (changes.replace_all) {
        auto done = batched(
            "DELETE FROM blocked_slots WHERE business_id = ? AND connection_id = ? AND "
            "calendar_id = ?",
            {connection_id, calendar_id});
        if (!done.ok())
            return done;
    } else if constexpr (Db::kArrayParameters) {
        if (!changes.events.empty()) {
            auto q = business_query(
                "DELETE FROM blocked_slots WHERE business_id = ? AND connection_id = ? AND "
                "calendar_id = ? AND event_id = ANY(CAST(? AS TEXT[]))",
                kOperation, {connection_id, calendar_id});
            if (!q.ok())
                return q.error();
            auto done = q->bind_array(std::vector<std::optional<std::string>>(
                                          changes.events.begin(), changes.events.end()))
                            .run_batched();
            if (!done.ok())
                return done;
        }
    } else {
        for (const std::string& event_id : changes.events) {
            auto done = batched(
                "DELETE FROM blocked_slots WHERE business_id = ? AND connection_id = ? AND "
                "calendar_id = ? AND event_id = ?",
                {connection_id, calendar_id, event_id});
            if (!done.ok())
                return done;
        }
    }
    std::int64_t longest = 0;
    for (const BlockedSlot& slot : changes.slots)
        longest =
            std::max<std::int64_t>(longest, to_unix(slot.range.end) - to_unix(slot.range.start));
    auto inserted = insert_slots(connection_id, calendar_id, changes.slots, kOperation);
    if (!inserted.ok())
        return inserted;
    // A whole write sets the window and the longest slot; a partial one only lengthens it.
    auto q = business_query(
        changes.replace_all
            ? "INSERT INTO slot_windows (business_id, connection_id, calendar_id, window_start, "
              "window_end, longest_slot) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (business_id, "
              "connection_id, calendar_id) DO UPDATE SET window_start = excluded.window_start, "
              "window_end = excluded.window_end, longest_slot = excluded.longest_slot"
            : "INSERT INTO slot_windows (business_id, connection_id, calendar_id, window_start, "
              "window_end, longest_slot) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (business_id, "
              "connection_id, calendar_id) DO UPDATE SET longest_slot = CASE WHEN "
              "excluded.longest_slot > slot_windows.longest_slot THEN excluded.longest_slot "
              "ELSE slot_windows.longest_slot END",
        kOperation);
    if (!q.ok())
        return q.error();
    const std::optional<TimeRange>& window = changes.window;
    auto kept = q->bind(connection_id)
                    .bind(calendar_id)
                    .bind(window ? std::optional<Instant>(window->start) : std::nullopt)
                    .bind(window ? std::optional<Instant>(window->end) : std::nullopt)
                    .bind(longest)
                    .run_batched();
    if (!kept.ok())
        return kept;
    return tx->commit();
}

template <class Db>
Result<void> SqlStore<Db>::insert_slots(const std::string& connection_id,
                                        const std::string& calendar_id,
                                        const std::vector<BlockedSlot>& slots,
                                        const char* operation) {
    static constexpr const char* kColumns =
        "INSERT INTO blocked_slots (business_id, connection_id, calendar_id, event_id, "
        "recurrence_id, start_at, end_at, label, all_day, tentative) ";
    if constexpr (Db::kArrayParameters) {
        // The rows as columns of arrays: PostgreSQL spent about 20 us executing each row's
        // own INSERT (a calendar's first read of ten events, the fleet benchmark).
        static const std::string text =
            sql_detail::sql({kColumns,
                             "SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), v.* FROM "
                             "unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), "
                             "CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), "
                             "CAST(? AS BIGINT[])) AS v"});
        using Column = std::vector<std::optional<std::string>>;
        auto number = [](std::int64_t v) { return std::optional<std::string>(std::to_string(v)); };
        return sql_detail::in_array_statements(
            slots.size(), [&](std::size_t first, std::size_t last) -> Result<void> {
                std::array<Column, 7> columns;
                for (Column& c : columns)
                    c.reserve(last - first);
                for (std::size_t i = first; i < last; ++i) {
                    const BlockedSlot& slot = slots[i];
                    columns[0].emplace_back(slot.event_id);
                    columns[1].push_back(number(to_unix(slot.recurrence_id)));
                    columns[2].push_back(number(to_unix(slot.range.start)));
                    columns[3].push_back(number(to_unix(slot.range.end)));
                    columns[4].emplace_back(slot.label);
                    columns[5].push_back(number(slot.all_day ? 1 : 0));
                    columns[6].push_back(number(slot.tentative ? 1 : 0));
                }
                auto q = business_query(text.c_str(), operation, {connection_id, calendar_id});
                if (!q.ok())
                    return q.error();
                for (const Column& c : columns)
                    q->bind_array(c);
                return q->run_batched();
            });
    } else {
        static const std::string text =
            sql_detail::sql({kColumns, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"});
        for (const BlockedSlot& slot : slots) {
            auto q = business_query(text.c_str(), operation);
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
                            .run_batched();
            if (!done.ok())
                return done;
        }
        return {};
    }
}

template <class Db>
Result<std::vector<StoredSlot>> SqlStore<Db>::list_blocked_slots(const TimeRange& range) {
    Lock lock(mutex_);
    // One statement, so the longest slot and the slots are read from one snapshot.
    auto q = business_query(
        "SELECT connection_id, calendar_id, event_id, recurrence_id, start_at, end_at, label, "
        "all_day, tentative FROM blocked_slots WHERE business_id = ? AND start_at < ? AND "
        "start_at > CAST(? AS BIGINT) - (SELECT coalesce(max(longest_slot), 0) FROM "
        "slot_windows WHERE business_id = ?) AND end_at > ? "
        "ORDER BY start_at, end_at, connection_id, calendar_id, event_id, recurrence_id",
        "read blocked slots");
    if (!q.ok())
        return q.error();
    return q->bind(range.end)
        .bind(range.start)
        .bind(business_)
        .bind(range.start)
        .collect([](const Query& r) -> Result<StoredSlot> {
            StoredSlot stored;
            stored.connection_id = r.text(0);
            BlockedSlot& slot = stored.slot;
            slot.calendar_id = r.text(1);
            slot.event_id = r.text(2);
            slot.recurrence_id = r.instant(3);
            slot.range = {r.instant(4), r.instant(5)};
            slot.label = r.text(6);
            slot.all_day = r.boolean(7);
            slot.tentative = r.boolean(8);
            return stored;
        });
}

template <class Db>
Result<std::optional<TimeRange>> SqlStore<Db>::find_slot_window(const std::string& connection_id,
                                                                const std::string& calendar_id) {
    Lock lock(mutex_);
    auto q = business_query(
        "SELECT window_start, window_end FROM slot_windows WHERE business_id = ? AND "
        "connection_id = ? AND calendar_id = ?",
        "read a calendar's slot window", {connection_id, calendar_id});
    if (!q.ok())
        return q.error();
    auto row = q->step();
    if (!row.ok())
        return row.error();
    if (!row.value() || q->is_null(0) || q->is_null(1))
        return std::optional<TimeRange>();
    return std::optional<TimeRange>(TimeRange{q->instant(0), q->instant(1)});
}

}  // namespace calsync::store
