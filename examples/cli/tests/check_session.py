"""A person's session with the calsync program against a real CalDAV server (Radicale,
Cyrus or DAViCal, started by the dav/<server> fixture) and an ICS feed (tests/fakes/fault_server.py): connect
(the password from the environment), calendars, select both, appointments from a file,
sync, blocked, free, status, doctor, a changed and a cancelled appointment, disconnect and
reconnect. What calsync wrote is read back with python3-caldav, a client that shares no
code with calsync. Also the exit codes of a wrong password, an unknown calendar and a
usage error, and that the password appears in no output and no file.

  check_session.py CLI SERVER_JSON FAULT_SERVER DATA_DIR
"""
import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import caldav
from cli_runner import Runner

cli, server_json, fault_server, data = sys.argv[1:5]
with open(server_json) as f:
    server = json.load(f)
if not server["password"]:
    sys.exit("this session needs a server with a password (not Xandikos)")
USER, PASSWORD = server["user"], server["password"]
scratch = tempfile.mkdtemp(prefix="calsync-cli-session-")
state = os.path.join(scratch, "state")
os.makedirs(state)
with open(os.path.join(state, "config.json"), "w") as f:
    # The sample data are of June 2026: a window that reaches them whenever this runs.
    json.dump({"zone": "Europe/Berlin", "window": {"days_back": 2000, "days_ahead": 2000}}, f)
ENV = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
ENV["CALSYNC_STATE_DIR"] = state
runner = Runner(cli, ENV)
expect_in, problems = runner.expect_in, runner.problems

# A calendar of this session's own, so other tests' events do not matter.
name = "cli-session-" + secrets.token_hex(4)
# Next to the fixture's calendar, in the user's calendar home (each server names it its way).
HOME = server["calendar_url"].rstrip("/").rsplit("/", 1)[0] + "/"
calendar_url = HOME + f"{name}/"
BAYS = "Bays " + name[-8:]


def dav(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def run(*args, expect=0, password=PASSWORD, label=None):
    return runner.run(*args, expect=expect, env={"CALSYNC_PASSWORD": password}, label=label)


def exported():
    """{appointment id: (UID, DTSTART, SUMMARY)} on the server, read with python3-caldav."""
    client = caldav.DAVClient(server["url"], username=USER, password=PASSWORD)
    found = {}
    for event in caldav.Calendar(client=client, url=calendar_url).events():
        for vevent in event.icalendar_instance.walk("VEVENT"):
            marker = str(vevent.get("X-CALSYNC-APPOINTMENT-ID", ""))
            if marker:
                if marker in found:
                    problems.append(f"appointment {marker} is on the server twice")
                found[marker] = (str(vevent["UID"]), vevent.decoded("DTSTART").isoformat(),
                                 str(vevent.get("SUMMARY", "")))
    return found


EXTERNAL = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//another client//EN\r
BEGIN:VEVENT\r
UID:lift-service\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Lift service (technician on site)\r
DTSTART;TZID=Europe/Berlin:20260602T130000\r
DTEND;TZID=Europe/Berlin:20260602T150000\r
END:VEVENT\r
END:VCALENDAR\r
"""

body = ('<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
        'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
        f'<d:displayname>{BAYS}</d:displayname></d:prop></d:set></c:mkcalendar>').encode()
if dav("MKCALENDAR", calendar_url, body, {"Content-Type": "application/xml"}) not in (201, 207):
    sys.exit(f"cannot make {calendar_url}")
feed_server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    dav("PUT", calendar_url + "lift-service.ics", EXTERNAL.encode(),
        {"Content-Type": "text/calendar"})
    feed = f"http://127.0.0.1:{int(feed_server.stdout.readline())}/feed?file={data}/personal.ics"

    # --- connecting: refused first (a local server, a wrong password), then accepted
    done = run("connect", "caldav", server["url"], "--user", USER, expect=1)
    expect_in(done.stderr, "--allow-private-addresses", "the hint for a local server")
    done = run("connect", "caldav", server["url"], "--user", USER, "--allow-private-addresses",
               password="not-the-password", expect=3)
    expect_in(done.stderr, "sign-in refused", "a wrong password")
    run("connect", "caldav", server["url"], "--user", USER, "--password", PASSWORD, expect=2,
        label="a password as an argument")
    done = run("connect", "caldav", server["url"], "--user", USER, "--id", "garage",
               "--allow-private-addresses")
    expect_in(done.stdout, "Connected garage", "connect caldav")
    expect_in(done.stdout, BAYS, "connect lists the calendars")
    run("connect", "ics", feed, "--id", "personal", "--name", "Personal", "--owner",
        "owner@garage.example")

    # --- calendars and selecting them
    listed = json.loads(run("calendars", "--json").stdout)
    by_connection = {c["connection_id"]: c["calendars"] for c in listed["connections"]}
    bays = [c for c in by_connection.get("garage", []) if c["id"] == calendar_url]
    if not bays or not bays[0]["can_write"] or bays[0]["selected"]:
        problems.append(f"calendars --json: {by_connection.get('garage')}")
    done = run("select", "No such calendar", "--direction", "both", expect=4)
    expect_in(done.stderr, "no calendar 'No such calendar'", "an unknown calendar")
    expect_in(done.stderr, BAYS, "the unknown-calendar message lists the calendars")
    run("select", BAYS, expect=2, label="select without --direction")
    run("select", BAYS, "--direction", "both")
    run("select", "Personal", "--direction", "import", "--connection", "personal")
    table = run("calendars", "garage").stdout
    if not re.search(re.escape(BAYS) + r" +both +yes +" + re.escape(calendar_url), table):
        problems.append(f"calendars does not show {BAYS} selected both:\n{table}")

    # --- appointments and the sync
    appointments = os.path.join(scratch, "appointments.json")
    with open(appointments, "w") as f:
        json.dump({"appointments": [
            {"id": "s-1", "start": "2026-06-02T10:00:00+02:00", "end": "2026-06-02T11:00:00+02:00",
             "service": "Oil change", "client": "J. Weber", "vehicle": "VW Golf"},
            {"id": "s-2", "start": "2026-06-03T09:00:00+02:00", "end": "2026-06-03T10:00:00+02:00",
             "service": "Brake check", "client": "A. Kaya"}]}, f)
    expect_in(run("appointments", "upsert", appointments).stdout, "Booked s-1",
              "appointments upsert")
    report = json.loads(run("sync", "--all", "--json").stdout)
    garage = [r for r in report["reports"] if r["connection_id"] == "garage"]
    if not garage or garage[0]["status"]["state"] != "ok" or \
            sum(c["exports_written"] for c in garage[0]["calendars"]) != 2:
        problems.append(f"sync --all --json: {garage}")
    on_server = exported()
    if sorted(on_server) != ["s-1", "s-2"]:
        problems.append(f"on the server after the sync: {on_server}")
    elif on_server["s-1"][1] != "2026-06-02T08:00:00+00:00" or \
            "Oil change" not in on_server["s-1"][2]:
        problems.append(f"s-1 on the server: {on_server['s-1']}")

    # --- what blocks, what is free
    slots = json.loads(run("blocked", "--from", "2026-06-01", "--to", "2026-06-15",
                           "--json").stdout)["slots"]
    seen = {(s["connection_id"], s["label"], s["start"], s["end"]) for s in slots}
    for want in [("garage", BAYS, "2026-06-02T11:00:00Z", "2026-06-02T13:00:00Z"),
                 ("personal", "Personal", "2026-06-02T13:30:00Z", "2026-06-02T14:30:00Z")]:
        if want not in seen:
            problems.append(f"blocked: {want} missing from {sorted(seen)}")
    if any(s["event_id"].endswith(("s-1.ics", "s-2.ics")) or "declined" in s["event_id"]
           for s in slots):
        problems.append(f"an appointment or a declined invitation blocks: {sorted(seen)}")
    table = run("blocked", "--from", "2026-06-02", "--to", "2026-06-03").stdout
    expect_in(table, f"2026-06-02 13:00 +0200  2026-06-02 15:00 +0200             {BAYS}",
              "the blocked table")
    free = json.loads(run("free", "--from", "2026-06-02T12:00:00+02:00", "--to",
                          "2026-06-02T18:00:00+02:00", "--duration", "1h", "--step", "1h",
                          "--json").stdout)["free"]
    # Hourly from 12:00 local: 13-15 the lift service, 15:30-16:30 the dentist; the
    # appointments do not count. Free: 12:00 and 17:00 (UTC+2).
    starts = [f["start"] for f in free]
    if starts != ["2026-06-02T10:00:00Z", "2026-06-02T15:00:00Z"]:
        problems.append(f"free: {starts}")

    # --- status and the health check
    status = json.loads(run("status", "--json").stdout)
    states = {c["id"]: (c["state"], c["status"]["state"]) for c in status["connections"]}
    if states != {"garage": ("active", "ok"), "personal": ("active", "ok")}:
        problems.append(f"status --json: {states}")
    text = run("status").stdout
    for needle in ("garage", "personal", "caldav", "ics_feed", "ok"):
        expect_in(text, needle, "status")
    one = json.loads(run("status", "garage", "--json").stdout)
    if calendar_url not in one["calendars"] or one["calendars"][calendar_url]["state"] != "ok":
        problems.append(f"status garage --json: {one}")
    doctor = run("doctor", "garage").stdout
    expect_in(doctor, "Everything works.", "doctor")
    expect_in(doctor, f'Appointments can be written to "{BAYS}"', "doctor's writable check")
    checks = json.loads(run("doctor", "--json").stdout)
    if not checks["ok"] or len(checks["checks"]) != 2:
        problems.append(f"doctor --json: {checks}")

    # --- a moved and a cancelled appointment
    moved = os.path.join(scratch, "moved.json")
    with open(moved, "w") as f:
        json.dump({"id": "s-1", "start": "2026-06-02T16:00:00+02:00",
                   "end": "2026-06-02T17:00:00+02:00", "service": "Oil change",
                   "client": "J. Weber", "vehicle": "VW Golf"}, f)
    run("appointments", "upsert", moved)
    run("appointments", "cancel", "s-2")
    run("sync", "garage")
    on_server = exported()
    if sorted(on_server) != ["s-1"] or on_server["s-1"][1] != "2026-06-02T14:00:00+00:00":
        problems.append(f"after moving s-1 and cancelling s-2: {on_server}")

    # --- doctor sees a calendar that went away; sync says so with exit 4
    # (a second calendar, selected and then deleted on the server)
    extra_url = HOME + f"{name}-extra/"
    dav("MKCALENDAR", extra_url, body.replace(BAYS.encode(), b"Extra " + name[-8:].encode()),
        {"Content-Type": "application/xml"})
    run("select", extra_url, "--direction", "import")
    run("sync", "garage")
    dav("DELETE", extra_url)
    run("sync", "garage", expect=4, label="sync with a selected calendar gone")
    doctor = run("doctor", "garage", expect=1).stdout
    expect_in(doctor, "is gone", "doctor on a gone calendar")
    expect_in(doctor, "What to do:", "doctor says what to do")
    run("deselect", extra_url)

    # --- disconnect: the slots go, the export stays; a reconnect writes nothing twice
    run("disconnect", "garage")
    slots = json.loads(run("blocked", "--from", "2026-06-01", "--to", "2026-06-15",
                           "--json").stdout)["slots"]
    if any(s["connection_id"] == "garage" for s in slots):
        problems.append("garage's slots survived the disconnect")
    if sorted(exported()) != ["s-1"]:
        problems.append("the export did not stay on the server after the disconnect")
    done = run("connect", "caldav", server["url"], "--user", USER)
    expect_in(done.stdout, "Reconnected garage", "a reconnect")
    run("select", BAYS, "--direction", "both")
    run("sync", "--all")
    if sorted(exported()) != ["s-1"]:
        problems.append(f"after the reconnect: {exported()}")

    # --- the password: in no output, not in the config, not in the store in clear
    for text in runner.outputs:
        if PASSWORD in text:
            problems.append("the password appears in the program's output")
            break
    for file in os.listdir(state):
        with open(os.path.join(state, file), "rb") as f:
            if PASSWORD.encode() in f.read():
                problems.append(f"the password is in {file} in clear")
finally:
    feed_server.terminate()
    feed_server.wait()
    dav("DELETE", calendar_url)
    shutil.rmtree(scratch, ignore_errors=True)

runner.finish()
