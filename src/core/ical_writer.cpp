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

}  // namespace

std::string write_ics(const Event& event, Instant dtstamp) {
    ical::make_libical_errors_nonfatal();
    ical::ComponentPtr calendar(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    icalcomponent_add_property(calendar.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_prodid("-//calsync//calsync//EN"));
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
    if (!event.export_marker.empty()) {
        icalproperty* marker = icalproperty_new_x(event.export_marker.c_str());
        icalproperty_set_x_name(marker, kExportMarkerProperty);
        icalcomponent_add_property(vevent, marker);
    }
    icalcomponent_add_component(calendar.get(), vevent);
    char* text = icalcomponent_as_ical_string_r(calendar.get());
    std::string out = text != nullptr ? text : "";
    icalmemory_free_buffer(text);
    return out;
}

}  // namespace calsync
