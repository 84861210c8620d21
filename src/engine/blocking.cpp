#include <algorithm>

#include "calsync/engine.hpp"

namespace calsync {

const CalendarPolicy& BlockingPolicy::for_calendar(const std::string& calendar_id) const {
    auto it = calendars.find(calendar_id);
    return it == calendars.end() ? defaults : it->second;
}

BlockDecision decide_block(const Event& event, const Occurrence& occurrence,
                           const CalendarPolicy& policy) {
    BlockDecision d;
    // Our own exports mirror appointments the booking system already holds; blocking on
    // them would make every booked slot look double-booked (and loop on two-way calendars).
    if (!event.export_marker.empty())
        return d;
    if (occurrence.status == EventStatus::cancelled)
        return d;
    if (occurrence.transparency == Transparency::transparent)
        return d;
    if (occurrence.owner_response == Response::declined)
        return d;
    if (occurrence.all_day && !policy.all_day_blocks)
        return d;
    if (occurrence.owner_response == Response::needs_action && !policy.unanswered_blocks)
        return d;
    // A tentative event (by status or by the owner's answer) follows tentative_blocks even
    // when the invitation is also unanswered; an unanswered one is shown as tentative too.
    const bool tentative_by_choice = occurrence.status == EventStatus::tentative ||
                                     occurrence.owner_response == Response::tentative;
    if (tentative_by_choice && !policy.tentative_blocks)
        return d;
    const bool tentative =
        tentative_by_choice || occurrence.owner_response == Response::needs_action;
    d.blocks = true;
    d.tentative = tentative;
    return d;
}

bool may_block(const Event& event, const CalendarPolicy& policy) {
    auto blocks = [&](const Event& e) {
        Occurrence o;
        o.all_day = e.start.is_date();
        o.status = e.status;
        o.transparency = e.transparency;
        o.owner_response = e.owner_response;
        return decide_block(event, o, policy).blocks;
    };
    if (blocks(event))
        return true;
    return std::any_of(event.overrides.begin(), event.overrides.end(), blocks);
}

}  // namespace calsync
