"""Writing events as the Calendar API v3 reference defines it: events.insert (a client may
choose the id; a taken id, deleted ones included, is 409), events.update (the whole
resource is replaced), events.patch ("patch semantics": the fields given replace theirs,
objects given are merged into theirs, arrays given replace theirs, null deletes a field;
the rest stays as it was), events.delete, If-Match (412), and `sequence` (writable; a
value below the event's current one is refused, and a change of time, recurrence or
status raises it).

Recurring instances: "<master id>_<yyyymmdd>" (all-day) or "_<yyyymmddThhmmssZ>" (timed,
UTC) names an instance of a series even before it has an exception; events.get answers
it, events.update/patch turn it into an exception, events.delete into a cancelled one.
An id that names no instance of the series is 404.
"""
import datetime
import re

from dateutil import rrule

import google_errors as errors
from calendar_store import ID_PATTERN, event_instant, parse_instant

# Fields the server owns: a client's write cannot set them.
SERVER_FIELDS = ("kind", "etag", "created", "updated", "htmlLink", "creator", "organizer",
                 "iCalUID")
# Fields an exception keeps from what it was, whatever a write says.
KEPT = ("iCalUID", "recurringEventId", "originalStartTime", "organizer", "creator")
# RFC 5545 3.8.7.4: changes that raise SEQUENCE.
SIGNIFICANT = ("start", "end", "recurrence", "status")
INSTANCE_ID = re.compile(r"^([a-v0-9]{5,1024})_(\d{8})(T\d{6}Z)?$")


def check_times(body):
    """The start/end rules of a written event, or None when they hold."""
    start, end = body.get("start"), body.get("end")
    if not isinstance(start, dict) or not (start.get("date") or start.get("dateTime")):
        return errors.MISSING_START
    if not isinstance(end, dict) or not (end.get("date") or end.get("dateTime")):
        return errors.MISSING_END
    for when in (start, end):
        if when.get("date") and when.get("dateTime"):
            return errors.INVALID_START
        text = when.get("dateTime")
        has_offset = text is not None and (text.endswith("Z") or text[-6:-5] in "+-")
        if text is not None and not has_offset and not when.get("timeZone"):
            return errors.MISSING_TIME_ZONE
    if body.get("recurrence") and start.get("dateTime") and not start.get("timeZone"):
        return errors.MISSING_TIME_ZONE  # "For recurring events this field is required"
    first, last = parse_instant(start.get("dateTime")), parse_instant(end.get("dateTime"))
    if first is not None and last is not None and last < first:
        return errors.TIME_RANGE_EMPTY
    if "date" in start and "date" in end and end["date"] <= start["date"]:
        return errors.TIME_RANGE_EMPTY
    return None


def merged(old, patch):
    """Patch semantics: `patch` merged into `old` (objects recursively, arrays and other
    values replaced, null deleting the field)."""
    out = dict(old)
    for name, value in patch.items():
        if value is None:
            out.pop(name, None)
        elif isinstance(value, dict):
            out[name] = merged(out[name] if isinstance(out.get(name), dict) else {}, value)
        else:
            out[name] = value
    return out


def client_fields(body):
    return {k: v for k, v in body.items() if k not in SERVER_FIELDS}


def next_sequence(old, new):
    """The sequence `new` gets replacing `old`, or the error refusing it."""
    current = old.get("sequence", 0)
    given = new.get("sequence")
    if given is not None and (not isinstance(given, int) or given < current):
        return None, errors.INVALID_SEQUENCE
    significant = any(old.get(k) != new.get(k) for k in SIGNIFICANT)
    return max(current + (1 if significant else 0), given or 0), None


def _occurrence(master, day, clock, zone_name):
    """The originalStartTime of the master's instance on `day` (yyyymmdd) at `clock`
    ("Thhmmss" + "Z", UTC), or None when the series has none there."""
    start = master.get("start", {})
    all_day = "date" in start
    if all_day != (clock is None):
        return None
    lines = [line for line in master.get("recurrence", [])
             if line.split(":")[0].split(";")[0].upper() in ("RRULE", "RDATE", "EXDATE")]
    try:
        if all_day:
            first = datetime.datetime.combine(datetime.date.fromisoformat(start["date"]),
                                              datetime.time())
            wanted = datetime.datetime.strptime(day, "%Y%m%d")
        else:
            zone_name = start.get("timeZone") or zone_name
            first = event_instant(start, zone_name)
            wanted = datetime.datetime.strptime(day + clock, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
        rules = rrule.rrulestr("\n".join(lines), dtstart=first, forceset=True)
        if not rules.between(wanted - datetime.timedelta(seconds=1),
                             wanted + datetime.timedelta(seconds=1), inc=True):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    if all_day:
        return {"date": wanted.date().isoformat()}
    return {"dateTime": wanted.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": zone_name}


def virtual_instance(calendar, event_id):
    """The instance `event_id` names of a series on `calendar` that has no exception
    there, as events.get shows it; None when it names none."""
    match = INSTANCE_ID.match(event_id)
    master = calendar.events.get(match.group(1)) if match else None
    if master is None or master.get("status") == "cancelled" or not master.get("recurrence"):
        return None
    zone = calendar.entry.get("timeZone", "UTC")
    original = _occurrence(master, match.group(2), match.group(3), zone)
    if original is None:
        return None
    instance = {k: v for k, v in master.items()
                if k not in ("id", "recurrence", "created", "updated")}
    instance.update(id=event_id, recurringEventId=master["id"], originalStartTime=original)
    if "date" in original:
        length = (datetime.date.fromisoformat(master["end"]["date"]) -
                  datetime.date.fromisoformat(master["start"]["date"]))
        day = datetime.date.fromisoformat(original["date"])
        instance["start"] = {"date": original["date"]}
        instance["end"] = {"date": (day + length).isoformat()}
    else:
        begin = event_instant(master["start"], zone)
        length = event_instant(master["end"], zone) - begin
        at = parse_instant(original["dateTime"])
        instance["start"] = dict(master["start"], dateTime=at.isoformat())
        instance["end"] = dict(master["end"], dateTime=(at + length).isoformat())
    return instance


def existing(calendar, event_id):
    """The stored event, or the instance of a series the id names; None."""
    return calendar.events.get(event_id) or virtual_instance(calendar, event_id)


def precondition_failed(old, if_match):
    return if_match is not None and if_match not in ("*", old["etag"])


def insert(store, calendar, body):
    """events.insert: (status, stored event or error body)."""
    if not isinstance(body, dict):
        return errors.PARSE_ERROR
    event_id = body.get("id")
    if event_id is None:
        event_id = "fake%d" % (store.version + 1000)
    if not ID_PATTERN.match(str(event_id)):
        return errors.INVALID_RESOURCE_ID
    if event_id in calendar.events:  # deleted ones too: they persist as cancelled
        return errors.DUPLICATE
    invalid = check_times(body)
    if invalid is not None:
        return invalid
    sequence = body.get("sequence", 0)
    if not isinstance(sequence, int) or sequence < 0:
        return errors.INVALID_SEQUENCE
    event = client_fields(body)
    event["id"] = event_id
    return 200, store.put_event(calendar, event)


def replace(store, calendar, event_id, body, if_match, patch):
    """events.update (`patch` False) or events.patch: (status, stored event or error)."""
    old = existing(calendar, event_id)
    if old is None:
        return errors.NOT_FOUND
    if precondition_failed(old, if_match):
        return errors.CONDITION_NOT_MET
    if not isinstance(body, dict):
        return errors.PARSE_ERROR
    given = client_fields(body)
    if patch:
        event = merged({k: v for k, v in old.items() if not k.startswith("_")}, given)
    else:
        event = given
        event.setdefault("status", "confirmed")  # an update brings a deleted event back
    invalid = check_times(event)
    if invalid is not None:
        return invalid
    sequence, refused = next_sequence(old, dict(event, sequence=given.get("sequence")))
    if refused is not None:
        return refused
    event["sequence"] = sequence
    event["id"] = event_id
    for kept in KEPT:
        if kept in old:
            event[kept] = old[kept]
    return 200, store.put_event(calendar, event)


def delete(store, calendar, event_id, if_match):
    """events.delete: (status, None or error body)."""
    old = calendar.events.get(event_id)
    if old is None:
        instance = virtual_instance(calendar, event_id)
        if instance is None:
            return errors.NOT_FOUND
        if precondition_failed(instance, if_match):
            return errors.CONDITION_NOT_MET
        # Deleting one instance leaves a cancelled exception (the series' exclusion).
        store.put_event(calendar, {"id": event_id, "status": "cancelled",
                                   "recurringEventId": instance["recurringEventId"],
                                   "originalStartTime": instance["originalStartTime"]})
        return 204, None
    if old["status"] == "cancelled":
        return errors.DELETED
    if precondition_failed(old, if_match):
        return errors.CONDITION_NOT_MET
    store.cancel_event(calendar, old)
    return 204, None
