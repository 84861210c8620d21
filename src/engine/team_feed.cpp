#include "calsync/team_feed.hpp"

#include <algorithm>

#include "calsync/ical.hpp"

namespace calsync {

std::string write_team_feed(const std::vector<Appointment>& appointments,
                            const TeamFeedOptions& options, Instant dtstamp) {
    std::vector<const Appointment*> booked;
    for (const Appointment& a : appointments)
        if (a.status == AppointmentStatus::booked)
            booked.push_back(&a);
    std::sort(booked.begin(), booked.end(),
              [](const Appointment* a, const Appointment* b) { return a->id < b->id; });
    IcsFeed feed;
    feed.name = options.calendar_name;
    feed.refresh_interval = options.refresh_interval;
    feed.events.reserve(booked.size());
    for (const Appointment* a : booked) {
        IcsFeedEvent entry;
        entry.event = render_export(*a, options.render);
        entry.dtstamp = dtstamp;
        auto revision = options.revisions.find(a->id);
        if (revision != options.revisions.end()) {
            entry.sequence = revision->second.sequence;
            entry.last_modified = revision->second.last_modified;
            // RFC 5545 3.8.7.2: with no METHOD, DTSTAMP is when the event last changed.
            entry.dtstamp = revision->second.last_modified;
        }
        feed.events.push_back(std::move(entry));
    }
    return write_ics_feed(feed);
}

}  // namespace calsync
