"""Prints the blocked slots of a small calendar through the C ABI."""
import calsync

ICS = """BEGIN:VCALENDAR
VERSION:2.0
X-WR-CALNAME:Workshop
BEGIN:VEVENT
UID:brake-training
DTSTART;TZID=Europe/Berlin:20260302T090000
DTEND;TZID=Europe/Berlin:20260302T110000
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
END:VCALENDAR
"""

response = calsync.blocked_slots({
    "version": 1,
    "zone": "Europe/Berlin",
    "window": {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"},
    "calendars": [{"id": "workshop", "ics": ICS}],
})
print(f"calsync {calsync.version()}: {len(response['slots'])} blocked slots")
for slot in response["slots"]:
    print(f"{slot['start']} .. {slot['end']}  {slot['label']}  {slot['event_id']}")
