"""Reads an iCalendar file the way a subscriber's calendar app would, through Debian's
python3-icalendar, which shares no code with calsync (or libical). Prints JSON: the
calendar's properties and every VEVENT's.

  ical_peek.py FILE
"""
import json
import sys

import icalendar


def text(component, name):
    value = component.get(name)
    return "" if value is None else str(value)


def main():
    with open(sys.argv[1], "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "uid": text(event, "UID"),
            "summary": text(event, "SUMMARY"),
            "description": text(event, "DESCRIPTION"),
            "location": text(event, "LOCATION"),
            "status": text(event, "STATUS"),
            "marker": text(event, "X-CALSYNC-APPOINTMENT-ID"),
            "start": event.decoded("DTSTART").isoformat(),
            "end": event.decoded("DTEND").isoformat(),
            "dtstamp": event.decoded("DTSTAMP").isoformat(),
            "sequence": int(event.get("SEQUENCE", 0)),
            "last_modified": (event.decoded("LAST-MODIFIED").isoformat()
                              if "LAST-MODIFIED" in event else ""),
        })
    print(json.dumps({
        "version": text(calendar, "VERSION"),
        "method": text(calendar, "METHOD"),
        "calname": text(calendar, "X-WR-CALNAME"),
        "name": text(calendar, "NAME"),
        "published_ttl": text(calendar, "X-PUBLISHED-TTL"),
        "events": events,
    }))


if __name__ == "__main__":
    main()
