"""Disagreements with recurring_ical_events 2.0.1 that are the peer's fault.

Each known fault has a hand-checked minimal case (CASES: the calendar, the occurrence RFC
5545 requires and why, and what the peer gives); test_known_cases.py checks that calsync
gives the RFC answer on every case, so the list cannot excuse a calsync bug. `explain`
recognises a generated calendar whose differences all come from events showing one of
these faults.
"""
import datetime as dt
import zoneinfo

import icalendar

BUSINESS = "Europe/Berlin"

CASES = [
    {
        "name": "ambiguous local time read as its second occurrence",
        "why": "RFC 5545 3.3.5: a local time that occurs twice (the autumn change) refers "
               "to the first occurrence. 01:15 on 2026-11-01 in New York happens at "
               "05:15Z (EDT) and again at 06:15Z (EST); the peer (pytz, is_dst=False) "
               "takes 06:15Z.",
        "ics": "BEGIN:VEVENT\r\nUID:k1\r\nDTSTART;TZID=America/New_York:20261101T011500\r\n"
               "DTEND;TZID=America/New_York:20261101T014500\r\nEND:VEVENT\r\n",
        "rfc": [("2026-11-01T05:15:00Z", "2026-11-01T05:45:00Z")],
        "peer": [("2026-11-01T06:15:00Z", "2026-11-01T06:45:00Z")],
    },
    {
        "name": "length of a series taken as wall-clock time across a DST change",
        "why": "RFC 5545 3.8.5.3: with DTEND, every instance lasts the exact duration of "
               "the first. 02:15-03:45 in Berlin on 2026-10-25 starts at 00:15Z (first "
               "occurrence of 02:15, CEST) and ends at 02:45Z (CET): 2 h 30 min, so the "
               "next day's 02:15 CET (01:15Z) instance ends at 03:45Z. The peer gives "
               "1 h 30 min from naive wall-clock arithmetic.",
        "ics": "BEGIN:VEVENT\r\nUID:k2\r\nDTSTART;TZID=Europe/Berlin:20261025T021500\r\n"
               "DTEND;TZID=Europe/Berlin:20261025T034500\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"
               "END:VEVENT\r\n",
        "rfc": [("2026-10-25T00:15:00Z", "2026-10-25T02:45:00Z"),
                ("2026-10-26T01:15:00Z", "2026-10-26T03:45:00Z")],
        "peer": [("2026-10-25T01:15:00Z", "2026-10-25T02:45:00Z"),
                 ("2026-10-26T01:15:00Z", "2026-10-26T02:45:00Z")],
    },
    {
        "name": "UTC UNTIL compared with DTSTART's offset instead of the instance's",
        "why": "RFC 5545 3.3.10: UNTIL bounds the instances inclusively, as instants. "
               "Daily 07:15 New York from 2026-03-25 (EDT, UTC-4) with "
               "UNTIL=20260327T120000Z: the 27 March instance is 11:15Z, before UNTIL. "
               "Seen from a February DTSTART (EST), the peer reads it as 12:15Z and drops "
               "it; the minimal case starts in February for that reason.",
        "ics": "BEGIN:VEVENT\r\nUID:k3\r\nDTSTART;TZID=America/New_York:20260225T071500\r\n"
               "DTEND;TZID=America/New_York:20260225T074500\r\n"
               "RRULE:FREQ=WEEKLY;UNTIL=20260327T120000Z\r\nEND:VEVENT\r\n",
        "rfc": [("2026-02-25T12:15:00Z", "2026-02-25T12:45:00Z"),
                ("2026-03-04T12:15:00Z", "2026-03-04T12:45:00Z"),
                ("2026-03-11T11:15:00Z", "2026-03-11T11:45:00Z"),
                ("2026-03-18T11:15:00Z", "2026-03-18T11:45:00Z"),
                ("2026-03-25T11:15:00Z", "2026-03-25T11:45:00Z")],
        "peer": None,  # the peer's answer depends on the week; see `why`
    },
]


def _zone_of(prop):
    tzid = prop.params.get("TZID")
    value = prop.dt
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is not None and tzid is None:
        return None  # UTC
    return zoneinfo.ZoneInfo(tzid if tzid else BUSINESS)


def _local(prop):
    return prop.dt.replace(tzinfo=None)


def _is_dst_edge(zone, local):
    """True when `local` is ambiguous or does not exist in `zone`."""
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset()


def _crosses_change(zone, start, end):
    return start.replace(tzinfo=zone).utcoffset() != end.replace(tzinfo=zone).utcoffset()


def _instance_near_change(zone, start_text, end_text):
    start = dt.datetime.strptime(start_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    end = dt.datetime.strptime(end_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    # Within three hours of a change: the instance's wall time is ambiguous or missing
    # (cases 1 and 2), or its length spans the change (case 2).
    near = dt.timedelta(hours=3)
    return (start - near).astimezone(zone).utcoffset() != (end + near).astimezone(zone).utcoffset()


def _event_shows_known_fault(component):
    start = component.get("DTSTART")
    end = component.get("DTEND")
    zone = _zone_of(start) if start is not None else None
    if zone is None:
        return False
    s = _local(start)
    if _is_dst_edge(zone, s):
        return True  # case 1 (and 2 for its length)
    if end is not None and isinstance(end.dt, dt.datetime):
        e = _local(end)
        if _is_dst_edge(zone, e) or _crosses_change(zone, s, e):
            return True  # case 2
    rule = component.get("RRULE")
    if rule is not None and rule.get("UNTIL") and start.params.get("TZID"):
        until = rule["UNTIL"][0]
        if isinstance(until, dt.datetime) and until.tzinfo is not None:
            if s.replace(tzinfo=zone).utcoffset() != until.astimezone(zone).utcoffset():
                return True  # case 3
    return False


def explain(text, only_ours, only_theirs):
    """The known peer fault behind every difference in this calendar, or None."""
    uids = {o[0] for o in only_ours | only_theirs}
    cal = icalendar.Calendar.from_ical(text)
    faulty = set()
    zones = {}
    for component in cal.walk("VEVENT"):
        if _event_shows_known_fault(component):
            faulty.add(str(component["UID"]))
        zone = _zone_of(component["DTSTART"])
        if zone is not None:
            zones[str(component["UID"])] = zone
    # Case 2 on a later instance: one that spans the change lasts its exact length here,
    # its wall-clock length in the peer.
    for uid, zone in zones.items():
        mine = [o for o in only_ours | only_theirs if o[0] == uid]
        if mine and all(_instance_near_change(zone, o[1], o[2]) for o in mine):
            faulty.add(uid)
    if uids and uids <= faulty:
        return "DST edge or UNTIL offset (known_disagreements.CASES)"
    return None
