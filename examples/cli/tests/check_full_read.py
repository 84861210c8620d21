"""The periodic full read (CLIENT_CONFIG schedule.full_read_seconds) against a real CalDAV
server (dav/<server> fixture): another client deletes an event, and on DAViCal the
server's sync tokens are lost as in a restore (DAViCal then answers the old token with an
ordinary listing, not 403 as RFC 6578 3.2 says, and never reports the deletion). The
incremental sync leaves the deleted event blocking there; the full read, once due,
corrects it and says so. Elsewhere the change reports are right and the full read
corrects nothing. Issue 14, item 10.

  check_full_read.py CLI SERVER_JSON
"""
import os
import subprocess
import sys
import time
import zoneinfo

from cli_runner import Fortnight
from dav_calendar import ConnectedState, DavCalendar

cli, server_json = sys.argv[1:3]
calendar = DavCalendar(server_json, "fullread")
days = Fortnight(zoneinfo.ZoneInfo("Europe/Berlin"))
FULL_READ_SECONDS = 3


def put_event(uid, day):
    start, end = days.at(day, 9), days.at(day, 10)
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\n"
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{start.astimezone(zoneinfo.ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{end.astimezone(zoneinfo.ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
            "SUMMARY:Technician on site\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    status = calendar.request("PUT", calendar.url + uid + ".ics", text.encode(),
                              {"Content-Type": "text/calendar; charset=utf-8"})[0]
    if status not in (201, 204):
        sys.exit(f"PUT {uid}: HTTP {status}")
    return calendar.url + uid + ".ics"


def forget_sync_tokens():
    """A DAViCal restored from a backup that predates the tokens it handed out."""
    socket = os.path.join(os.path.dirname(os.path.abspath(server_json)), "postgres", "socket")
    subprocess.run(["psql", "-qXAt", "-h", socket, "-U", "calsync", "-d", "davical", "-c",
                    "DELETE FROM sync_tokens"], check=True, stdout=subprocess.DEVNULL)


calendar.make()
session = None
try:
    kept, deleted = put_event("kept", 1), put_event("deleted", 2)
    session = ConnectedState(cli, calendar, config={"schedule": {
        "full_read_seconds": FULL_READ_SECONDS}})
    runner, problems = session.runner, session.runner.problems
    first = time.monotonic()
    runner.exports_written(calendar.name)

    def blocking():
        return {e for (e,) in runner.blocked(days.date(0), days.date(7), "event_id")}

    if blocking() != {kept, deleted}:
        problems.append(f"after the first sync: {blocking()}")
    calendar.request("DELETE", deleted)
    davical = calendar.server["kind"] == "davical"
    if davical:
        forget_sync_tokens()
    _, reports = runner.exports_written(calendar.name)
    # Not due yet (unless this machine is very slow): what the change report said stands.
    if time.monotonic() - first < FULL_READ_SECONDS:
        expected = {kept, deleted} if davical else {kept}
        if blocking() != expected or reports[0]["calendars"][0].get("corrected") != 0:
            problems.append(f"the incremental sync: {blocking()}, {reports}")
    time.sleep(FULL_READ_SECONDS)
    done = runner.run("sync", calendar.name)
    _, reports = runner.exports_written(calendar.name)  # the full read was the one before
    if blocking() != {kept}:
        problems.append(f"after the full read the deleted event still blocks: {blocking()}")
    if davical:
        runner.expect_in(done.stdout, "1 event corrected by the full read", "sync's report")
    elif "corrected" in done.stdout:
        problems.append(f"a full read corrected a server whose reports are right:\n{done.stdout}")
    if reports[0]["calendars"][0].get("corrected") != 0:
        problems.append(f"the sync after the full read: {reports}")
finally:
    calendar.delete()
    if session:
        session.remove()

session.runner.finish()
