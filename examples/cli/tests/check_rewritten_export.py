"""Another calendar app rewrites an exported appointment and drops calsync's X- property
(RFC 5545 lets it: X- properties are the writer's own), keeping the UID and the resource
name, as the soak of issue 14 saw: against a real CalDAV server (dav/<server> fixture),
with the calsync program.

  check_rewritten_export.py CLI SERVER_JSON

Checks: the sync after the rewrite succeeds and writes the appointment back (its time,
the X- property), the rewritten event never blocks (the resource name and the UID say it
is ours); the next syncs write nothing (the server's etag stays); a cancelled appointment's
rewritten event is deleted, not forgotten on the calendar.
"""
import datetime
import os
import re
import sys
import zoneinfo

from cli_runner import Fortnight
from dav_calendar import ConnectedState, DavCalendar

cli, server_json = sys.argv[1:3]
calendar = DavCalendar(server_json, "rewritten")
dav = calendar.request
days = Fortnight(zoneinfo.ZoneInfo("Europe/Berlin"))
resource = calendar.url + "s7.ics"


def unfolded(text):
    return re.sub(r"\r?\n[ \t]", "", text)


def prop(text, name):
    found = re.search(rf"^{name}[;:](.*)$", unfolded(text), re.M)
    return found.group(1).strip() if found else None


def sync():
    written, reports = runner.exports_written(calendar.name)
    if not reports or reports[0]["status"]["state"] != "ok":
        problems.append(f"sync: {reports}")
    return written


calendar.make()
session = None
try:
    session = ConnectedState(cli, calendar)
    runner, problems = session.runner, session.runner.problems
    start, end = days.at(1, 10), days.at(1, 11)
    runner.book(os.path.join(session.scratch, "s7.json"), "s7", start, end, service="Oil change",
                client="J. Weber", vehicle="VW Golf")
    if sync() != 1:
        problems.append("the appointment was not exported")
    status, text, etag = dav("GET", resource)
    if status != 200 or prop(text, "X-CALSYNC-APPOINTMENT-ID") != "s7":
        sys.exit(f"GET {resource}: {status}\n{text}")

    # --- another client moves it by two hours and drops the X- property
    moved = unfolded(text)
    moved = "\r\n".join(line for line in moved.splitlines()
                        if not line.startswith("X-CALSYNC-APPOINTMENT-ID"))
    for field, at in (("DTSTART", start), ("DTEND", end)):
        later = (at + datetime.timedelta(hours=2)).astimezone(datetime.timezone.utc)
        moved = re.sub(rf"^{field}[;:].*$", f"{field}:{later:%Y%m%dT%H%M%SZ}", moved, flags=re.M)
    moved = re.sub(r"^SUMMARY[;:].*$", "SUMMARY:Moved on a phone", moved, flags=re.M)
    status, _, _ = dav("PUT", resource, (moved + "\r\n").encode(),
                       {"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag})
    if status not in (200, 201, 204):
        sys.exit(f"the other client's PUT: HTTP {status}")

    # The sync recognises its event by the resource name and the UID, and writes the
    # appointment back over the edit (RemoteEditPolicy::appointment_wins).
    if sync() != 1:
        problems.append("the sync after the rewrite did not write the appointment back once")
    status, text, etag = dav("GET", resource)
    if prop(text, "X-CALSYNC-APPOINTMENT-ID") != "s7" or \
            prop(text, "DTSTART") != f"{start.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%SZ}":
        problems.append(f"after the sync the server holds:\n{text}")
    # What that sync read (the rewritten event) never blocked: it is an appointment's.
    slots = runner.blocked(days.date(1), days.date(2), "event_id", "start")
    if any(event_id == resource for event_id, _ in slots):
        problems.append(f"the rewritten export blocks a slot: {sorted(slots)}")

    # --- an unchanged appointment: no write (the etag stays), however many syncs
    for round_ in (1, 2):
        written = sync()
        after = dav("GET", resource)[2]
        if written != 0 or after != etag:
            problems.append(f"sync {round_} after the recovery wrote {written} appointments "
                            f"(etag {etag} -> {after})")

    # --- rewritten again, then cancelled: the event goes (it was left for ever)
    status, text, etag = dav("GET", resource)
    stripped = "\r\n".join(line for line in unfolded(text).splitlines()
                           if not line.startswith("X-CALSYNC-APPOINTMENT-ID"))
    dav("PUT", resource, (stripped + "\r\n").encode(),
        {"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag})
    runner.run("appointments", "cancel", "s7")
    sync()
    if dav("GET", resource)[0] != 404:
        problems.append("the cancelled appointment's rewritten event stayed on the calendar")
    if sync() != 0:
        problems.append("a sync after the cancellation wrote again")
finally:
    calendar.delete()
    if session:
        session.remove()

session.runner.finish()
