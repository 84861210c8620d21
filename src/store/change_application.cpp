#include "store/change_application.hpp"

#include <map>

#include "core/event_json.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

void set_calendar(Event& e, const std::string& calendar_id) {
    e.calendar_id = calendar_id;
    for (Event& o : e.overrides)
        set_calendar(o, calendar_id);
}

}  // namespace

Event in_calendar(Event event, const std::string& calendar_id) {
    set_calendar(event, calendar_id);
    return event;
}

Result<PreparedChanges> prepare_changes(const std::string& calendar_id, const ChangeSet& changes) {
    PreparedChanges p;
    p.full_resync = changes.full_resync;
    p.unchanged = changes.unchanged;
    p.cursor = changes.next_cursor;
    if (changes.unchanged)
        return p;
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < changes.upserts.size(); ++i) {
        const Event& source = changes.upserts[i];
        if (source.id.empty())
            return invalid("store a calendar's changes", "upsert " + std::to_string(i) +
                                                             " of calendar '" + calendar_id +
                                                             "' has an empty event id");
        PreparedEvent e{&source, json::write_event(source)};
        auto [it, fresh] = position.emplace(source.id, p.upserts.size());
        if (fresh)
            p.upserts.push_back(std::move(e));
        else
            p.upserts[it->second] = std::move(e);
        p.upsert_ids.insert(source.id);
    }
    for (const std::string& id : changes.removals) {
        if (p.upsert_ids.count(id) == 0)
            p.removals.push_back(id);
    }
    return p;
}

}  // namespace calsync::store
