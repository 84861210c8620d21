#include "providers/google/google_series.hpp"

#include <algorithm>
#include <set>

namespace calsync::providers::google {
namespace {

// The last version of each item: a listing may name an item twice when it changed while
// the pages were being read.
std::vector<const GoogleItem*> latest(const std::vector<GoogleItem>& items) {
    std::map<std::string, std::size_t> position;
    std::vector<const GoogleItem*> out;
    for (const GoogleItem& item : items) {
        auto [it, fresh] = position.emplace(item.event.id, out.size());
        if (fresh)
            out.push_back(&item);
        else
            out[it->second] = &item;
    }
    return out;
}

}  // namespace

Event standalone_instance(const GoogleItem& item) {
    Event e = item.event;
    e.recurrence_id.reset();
    return e;
}

std::vector<Event> assemble_listing(const std::vector<GoogleItem>& items) {
    const std::vector<const GoogleItem*> all = latest(items);
    std::vector<Event> out;
    std::map<std::string, std::size_t> masters;  // id -> position in `out`
    for (const GoogleItem* item : all) {
        if (item->is_instance() || item->is_cancelled())
            continue;
        masters.emplace(item->event.id, out.size());
        out.push_back(item->event);
    }
    for (const GoogleItem* item : all) {
        if (!item->is_instance())
            continue;
        auto master = masters.find(item->recurring_event_id);
        if (master != masters.end())
            out[master->second].overrides.push_back(item->event);
        else if (!item->is_cancelled())
            out.push_back(standalone_instance(*item));
    }
    return out;
}

IncrementalPlan plan_incremental(const std::vector<GoogleItem>& items) {
    IncrementalPlan plan;
    std::set<std::string> series;
    std::set<std::string> removed;
    for (const GoogleItem* item : latest(items)) {
        const Event& e = item->event;
        if (item->is_instance()) {
            series.insert(item->recurring_event_id);
            plan.instances[item->recurring_event_id].push_back(*item);
            if (!e.uid.empty())
                plan.series_uid.emplace(item->recurring_event_id, e.uid);
        } else if (item->is_cancelled()) {
            // A deleted single event or a deleted series: either way, that id goes.
            removed.insert(e.id);
            plan.removals.push_back(e.id);
        } else if (e.is_recurring()) {
            series.insert(e.id);
            if (!e.uid.empty())
                plan.series_uid[e.id] = e.uid;
        } else {
            plan.upserts.push_back(e);
        }
    }
    std::copy_if(series.begin(), series.end(), std::back_inserter(plan.series),
                 [&](const std::string& id) { return removed.count(id) == 0; });
    return plan;
}

}  // namespace calsync::providers::google
