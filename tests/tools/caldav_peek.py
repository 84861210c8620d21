"""Reads one event the way another CalDAV client would: python3-caldav (Debian), which
shares no code with calsync. Prints JSON: {"found": false} or the event's fields.

  caldav_peek.py SERVER_JSON UID
SERVER_JSON is what dav_server.py start wrote (url, calendar_url, user, password).
"""
import json
import sys

import caldav
import caldav.lib.error


def main():
    with open(sys.argv[1]) as f:
        server = json.load(f)
    uid = sys.argv[2]
    client = caldav.DAVClient(server["url"], username=server["user"] or None,
                              password=server["password"] or None)
    calendar = caldav.Calendar(client=client, url=server["calendar_url"])
    try:
        event = calendar.event_by_uid(uid)
    except caldav.lib.error.NotFoundError:
        print(json.dumps({"found": False}))
        return
    vevent = event.icalendar_instance.walk("VEVENT")[0]
    print(json.dumps({
        "found": True,
        "url": str(event.url),
        "summary": str(vevent.get("SUMMARY", "")),
        "description": str(vevent.get("DESCRIPTION", "")),
        "start": vevent.decoded("DTSTART").isoformat(),
        "end": vevent.decoded("DTEND").isoformat(),
        "marker": str(vevent.get("X-CALSYNC-APPOINTMENT-ID", "")),
    }))


if __name__ == "__main__":
    main()
