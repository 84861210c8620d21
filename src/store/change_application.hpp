// How a ChangeSet meets a calendar's cached events, shared by every StateStore so they
// agree on the semantics: removals first (ignoring ids the same set upserts), then
// upserts by Event::id (a later duplicate wins); an upsert whose stored form equals what
// is held counts as unchanged; a full resync first removes every held id it does not
// upsert. The caller runs apply_prepared() inside its transaction.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calsync/store.hpp"

namespace calsync::store {

// An upsert as the ChangeSet holds it (not copied: the set outlives its application) and
// its stored form. The stored form does not depend on the calendar (event_json.hpp).
struct PreparedEvent {
    const Event* event;
    std::string body;  // json::write_event(*event)
};

// The event as a calendar holds it: calendar_id set on it and on its overrides.
Event in_calendar(Event event, const std::string& calendar_id);

struct PreparedChanges {
    std::vector<PreparedEvent> upserts;  // unique ids, in first-seen order
    std::set<std::string> upsert_ids;
    std::vector<std::string> removals;  // without ids that are upserted
    bool full_resync = false;
    bool unchanged = false;
    std::string cursor;
};

// Checks and serialises everything before anything is written, so a bad event fails the
// whole set (invalid_argument naming it) with nothing changed. The result points into
// `changes`, which must outlive it.
Result<PreparedChanges> prepare_changes(const std::string& calendar_id, const ChangeSet& changes);

// `Table` is one calendar's events in some storage:
//   Result<std::optional<std::string>> body(const std::string& id);   the stored form
//   Result<std::vector<std::string>> ids();                           every held id
//   Result<void> write(const PreparedEvent& e);
//   Result<bool> erase(const std::string& id);                        false: not held
//   Result<void> prefetch(const std::vector<std::string>& ids);       body() of each follows
//   Result<void> finish();                                            writes held back go out
template <class Table>
Result<AppliedChanges> apply_prepared(Table& table, const PreparedChanges& p) {
    AppliedChanges applied;
    applied.replaced = p.full_resync;
    if (p.unchanged)
        return applied;
    std::vector<std::string> gone;
    // A full resync lists what is held anyway: an upsert of an id not held is written
    // without asking for its stored form (a first sync into an empty calendar asks none).
    std::set<std::string> kept;
    if (p.full_resync) {
        auto held = table.ids();
        if (!held.ok())
            return held.error();
        for (std::string& id : held.value()) {
            if (p.upsert_ids.count(id) == 0)
                gone.push_back(std::move(id));
            else
                kept.insert(std::move(id));
        }
    } else {
        gone = p.removals;
    }
    for (const std::string& id : gone) {
        auto erased = table.erase(id);
        if (!erased.ok())
            return erased.error();
        if (erased.value())
            applied.removed.push_back(id);
    }
    // Whose stored form the loop compares with: a table may read them together.
    std::vector<std::string> asked;
    for (const PreparedEvent& e : p.upserts)
        if (!p.full_resync || kept.count(e.event->id) > 0)
            asked.push_back(e.event->id);
    if (!asked.empty()) {
        auto fetched = table.prefetch(asked);
        if (!fetched.ok())
            return fetched.error();
    }
    for (const PreparedEvent& e : p.upserts) {
        const std::string& id = e.event->id;
        if (!p.full_resync || kept.count(id) > 0) {
            auto held = table.body(id);
            if (!held.ok())
                return held.error();
            if (held.value() && *held.value() == e.body) {
                ++applied.unchanged;
                continue;
            }
        }
        auto written = table.write(e);
        if (!written.ok())
            return written.error();
        applied.upserted.push_back(id);
    }
    auto finished = table.finish();
    if (!finished.ok())
        return finished.error();
    return applied;
}

}  // namespace calsync::store
