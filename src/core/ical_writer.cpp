#include <string>

#include "calsync/ical.hpp"
#include "core/libical_handles.hpp"

namespace calsync {
namespace {

icaltimetype utc_time(Instant t) {
    return icaltime_from_timet_with_zone(static_cast<time_t>(to_unix(t)), 0,
                                         icaltimezone_get_utc_timezone());
}

icaltimetype ical_value(const EventTime& t) {
    if (t.is_date()) {
        icaltimetype d = icaltime_null_date();
        d.year = t.local.date.year;
        d.month = t.local.date.month;
        d.day = t.local.date.day;
        return d;
    }
    // Exports are instants: written in UTC, which every server and client reads alike.
    return utc_time(t.resolve(*TimeZone::utc()));
}

icalcomponent* new_calendar() {
    icalcomponent* calendar = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    icalcomponent_add_property(calendar, icalproperty_new_version("2.0"));
    icalcomponent_add_property(calendar, icalproperty_new_prodid("-//calsync//calsync//EN"));
    return calendar;
}

icalproperty* new_x_property(const char* name, const std::string& value) {
    icalproperty* p = icalproperty_new_x(value.c_str());
    icalproperty_set_x_name(p, name);
    return p;
}

icalcomponent* new_vevent(const Event& event, Instant dtstamp) {
    icalcomponent* vevent = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(vevent, icalproperty_new_uid(event.uid.c_str()));
    icalcomponent_add_property(vevent, icalproperty_new_dtstamp(utc_time(dtstamp)));
    icalcomponent_add_property(vevent, icalproperty_new_dtstart(ical_value(event.start)));
    if (event.end)
        icalcomponent_add_property(vevent, icalproperty_new_dtend(ical_value(*event.end)));
    if (!event.summary.empty())
        icalcomponent_add_property(vevent, icalproperty_new_summary(event.summary.c_str()));
    if (!event.description.empty())
        icalcomponent_add_property(vevent, icalproperty_new_description(event.description.c_str()));
    if (!event.location.empty())
        icalcomponent_add_property(vevent, icalproperty_new_location(event.location.c_str()));
    icalcomponent_add_property(
        vevent,
        icalproperty_new_status(event.status == EventStatus::cancelled   ? ICAL_STATUS_CANCELLED
                                : event.status == EventStatus::tentative ? ICAL_STATUS_TENTATIVE
                                                                         : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(
        vevent, icalproperty_new_transp(event.transparency == Transparency::transparent
                                            ? ICAL_TRANSP_TRANSPARENT
                                            : ICAL_TRANSP_OPAQUE));
    if (!event.export_marker.empty())
        icalcomponent_add_property(vevent,
                                   new_x_property(kExportMarkerProperty, event.export_marker));
    return vevent;
}

std::string text_of(const icalcomponent* calendar) {
    char* text = icalcomponent_as_ical_string_r(const_cast<icalcomponent*>(calendar));
    std::string out = text != nullptr ? text : "";
    icalmemory_free_buffer(text);
    return out;
}

}  // namespace

std::string write_ics(const Event& event, Instant dtstamp) {
    ical::make_libical_errors_nonfatal();
    std::lock_guard<std::recursive_mutex> lock(ical::libical_mutex());
    ical::ComponentPtr calendar(new_calendar());
    icalcomponent_add_component(calendar.get(), new_vevent(event, dtstamp));
    return text_of(calendar.get());
}

std::string write_ics_feed(const IcsFeed& feed) {
    ical::make_libical_errors_nonfatal();
    std::lock_guard<std::recursive_mutex> lock(ical::libical_mutex());
    ical::ComponentPtr calendar(new_calendar());
    if (!feed.name.empty()) {
        icalcomponent_add_property(calendar.get(), icalproperty_new_name(feed.name.c_str()));
        icalcomponent_add_property(calendar.get(), new_x_property("X-WR-CALNAME", feed.name));
    }
    if (feed.refresh_interval) {
        const icaldurationtype every =
            icaldurationtype_from_int(static_cast<int>(feed.refresh_interval->count()));
        // RFC 7986 5.7: VALUE=DURATION is required on REFRESH-INTERVAL.
        icalproperty* refresh = icalproperty_new_refreshinterval(every);
        icalproperty_add_parameter(refresh, icalparameter_new_value(ICAL_VALUE_DURATION));
        icalcomponent_add_property(calendar.get(), refresh);
        char* ttl = icaldurationtype_as_ical_string_r(every);
        icalcomponent_add_property(calendar.get(), new_x_property("X-PUBLISHED-TTL", ttl));
        icalmemory_free_buffer(ttl);
    }
    for (const IcsFeedEvent& entry : feed.events) {
        icalcomponent* vevent = new_vevent(entry.event, entry.dtstamp);
        icalcomponent_add_property(vevent,
                                   icalproperty_new_sequence(static_cast<int>(entry.sequence)));
        if (entry.last_modified)
            icalcomponent_add_property(
                vevent, icalproperty_new_lastmodified(utc_time(*entry.last_modified)));
        icalcomponent_add_component(calendar.get(), vevent);
    }
    return text_of(calendar.get());
}

}  // namespace calsync
