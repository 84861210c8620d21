"""`calsync caldav calendars|events` against a real server started by
tests/tools/dav_server.py: puts a recurring event with an exception and a cancelled
instance on the server as another client would, and checks what the CLI shows.

  check_caldav.py CLI SERVER_JSON
"""
import base64
import json
import os
import subprocess
import sys
import urllib.request

cli = sys.argv[1]
with open(sys.argv[2]) as f:
    server = json.load(f)
PASSWORD = server["password"] or "unused-by-this-server"
USER = server["user"] or "garage"
problems = []

EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//EN\r
BEGIN:VEVENT\r
UID:cli-weekly\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Weekly parts order\r
DTSTART;TZID=Europe/Berlin:20260706T090000\r
DTEND;TZID=Europe/Berlin:20260706T100000\r
RRULE:FREQ=WEEKLY;COUNT=4\r
EXDATE;TZID=Europe/Berlin:20260713T090000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:cli-weekly\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20260720T090000\r
SUMMARY:Weekly parts order (moved)\r
DTSTART;TZID=Europe/Berlin:20260720T140000\r
DTEND;TZID=Europe/Berlin:20260720T150000\r
END:VEVENT\r
END:VCALENDAR\r
"""


def dav(method, url, body=None):
    request = urllib.request.Request(url, data=body, method=method)
    if server["user"]:
        token = base64.b64encode(f"{server['user']}:{server['password']}".encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    request.add_header("Content-Type", "text/calendar")
    with urllib.request.urlopen(request) as response:
        return response.status


def run(*args, password=PASSWORD, expect=0):
    env = dict(os.environ)
    env.pop("CALSYNC_PASSWORD", None)
    if password is not None:
        env["CALSYNC_PASSWORD"] = password
    # A new session has no controlling terminal, so the password prompt cannot open one.
    done = subprocess.run([cli, "caldav", *args], capture_output=True, text=True, env=env,
                          start_new_session=True, stdin=subprocess.DEVNULL)
    if done.returncode != expect:
        problems.append(f"{args}: exit {done.returncode}, expected {expect}: {done.stderr}")
    if server["password"] and server["password"] in done.stdout + done.stderr:
        problems.append(f"{args}: the password appears in the output")
    return done


common = [server["url"], "--user", USER, "--allow-private-addresses"]
resource = server["calendar_url"] + "cli-weekly.ics"
dav("PUT", resource, EVENT.encode())
try:
    listed = json.loads(run("calendars", *common, "--json").stdout)
    ids = {c["id"]: c for c in listed["calendars"]}
    if server["calendar_url"] not in ids:
        problems.append(f"calendar {server['calendar_url']} not listed: {sorted(ids)}")
    elif not ids[server["calendar_url"]]["can_write"]:
        problems.append("the test calendar is writable but listed read-only")
    table = run("calendars", *common).stdout
    if server["calendar_url"] not in table:
        problems.append(f"the table does not show the calendar:\n{table}")

    shown = run("events", *common, "--calendar", server["calendar_url"], "--from", "2026-07-01",
                "--to", "2026-08-01", "--tz", "Europe/Berlin", "--json").stdout
    slots = sorted((s["start"], s["end"]) for s in json.loads(shown)["slots"]
                   if s["event_id"] == resource)
    # Berlin is UTC+2 in July: 6 July 09:00, 13 July excluded, 20 July moved to 14:00,
    # 27 July 09:00 (COUNT=4 counts the excluded instance).
    expected = [("2026-07-06T07:00:00Z", "2026-07-06T08:00:00Z"),
                ("2026-07-20T12:00:00Z", "2026-07-20T13:00:00Z"),
                ("2026-07-27T07:00:00Z", "2026-07-27T08:00:00Z")]
    if slots != expected:
        problems.append(f"slots {slots}, expected {expected}")

    by_name = run("events", *common, "--calendar", "no such calendar", "--from", "2026-07-01",
                  "--to", "2026-08-01", "--tz", "Europe/Berlin", expect=4)
    if "no calendar 'no such calendar'" not in by_name.stderr:
        problems.append(f"unknown calendar: {by_name.stderr}")

    argument = run("calendars", *common, "--password", PASSWORD, expect=2)
    if "never an argument" not in argument.stderr:
        problems.append(f"--password: {argument.stderr}")
    prompt = run("calendars", *common, password=None, expect=2)
    if "set CALSYNC_PASSWORD" not in prompt.stderr:
        problems.append(f"no password and no terminal: {prompt.stderr}")
    if server["password"]:
        refused = run("calendars", *common, password="wrong-password", expect=3)
        if "sign-in refused" not in refused.stderr:
            problems.append(f"wrong password: {refused.stderr}")
finally:
    dav("DELETE", resource)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")
