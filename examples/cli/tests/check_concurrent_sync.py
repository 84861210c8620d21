"""Two calsync processes sync one state at the same moment (cron and a person's "sync
now", issue 14 item 9) against a real CalDAV server (dav/<server> fixture): appointments
booked, then moved, then cancelled, each change synced by two processes at once.

  check_concurrent_sync.py CLI SERVER_JSON [ROUNDS]

Checks after each round: both processes succeed (a conflict with the other's write of
the same content is not a failure) and say nothing of an etag; the server holds every
booked appointment once, with its latest time, and no cancelled one; status and doctor
report the calendar in sync; and one more sync writes nothing (item 8).
"""
import datetime
import json
import os
import re
import subprocess
import sys
import zoneinfo

import caldav
from cli_runner import Fortnight
from dav_calendar import ConnectedState, DavCalendar

cli, server_json = sys.argv[1:3]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
calendar = DavCalendar(server_json, "concurrent")
server = calendar.server
days = Fortnight(zoneinfo.ZoneInfo("Europe/Berlin"))
COUNT = 8
ETAG = re.compile(r'"[0-9a-f]{16,}"|\b[0-9a-f]{32,}\b')  # Radicale's, Cyrus's, DAViCal's etags


def on_server():
    """{appointment id: [DTSTART, ...]} read with python3-caldav."""
    client = caldav.DAVClient(server["url"], username=server["user"] or None,
                              password=server["password"] or None)
    found = {}
    for event in caldav.Calendar(client=client, url=calendar.url).events():
        for vevent in event.icalendar_instance.walk("VEVENT"):
            marker = str(vevent.get("X-CALSYNC-APPOINTMENT-ID", ""))
            found.setdefault(marker, []).append(vevent.decoded("DTSTART"))
    return found


def book_all(hour, status=None):
    path = os.path.join(session.scratch, "appointments.json")
    appointments = []
    for i in range(COUNT):
        start = days.at(i % 5, hour + i // 5)
        appointments.append({"id": f"c{i}", "start": start.isoformat(),
                             "end": (start + datetime.timedelta(minutes=45)).isoformat(),
                             "service": "Inspection", "client": f"Client {i}"})
    with open(path, "w") as f:
        json.dump({"appointments": appointments}, f)
    runner.run("appointments", "upsert", path)
    if status == "cancelled":
        for i in range(COUNT):
            runner.run("appointments", "cancel", f"c{i}")
    return {a["id"]: datetime.datetime.fromisoformat(a["start"]) for a in appointments}


def sync_twice_at_once(label):
    """Two `calsync sync` processes started together; both must succeed."""
    procs = [subprocess.Popen([cli, "sync", calendar.name], env=session.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True) for _ in range(2)]
    for n, p in enumerate(procs):
        out, err = p.communicate(timeout=300)
        runner.outputs.append(out + err)
        if p.returncode != 0 or "failing" in out + err:
            problems.append(f"{label}: process {n + 1} exit {p.returncode}:\n{out}{err}")
        if ETAG.search(out + err):
            problems.append(f"{label}: process {n + 1} shows an etag:\n{out}{err}")


def check_round(label, wanted):
    found = on_server()
    for appointment, start in sorted(wanted.items()):
        there = found.get(appointment, [])
        if start is None and there:
            problems.append(f"{label}: cancelled {appointment} is on the server")
        if start is not None and (len(there) != 1 or there[0] != start):
            problems.append(f"{label}: {appointment} on the server {there}, expected {start}")
    status = json.loads(runner.run("status", calendar.name, "--json").stdout)
    one = status["calendars"].get(calendar.url, {})
    if status["state"] != "ok" or one.get("state") != "ok":
        problems.append(f"{label}: status {status['state']}, calendar "
                        f"{one.get('state')}: {status.get('last_error')}")
    doctor = runner.run("doctor", calendar.name, "--json")
    if not json.loads(doctor.stdout)["ok"]:
        problems.append(f"{label}: doctor: {doctor.stdout}")
    written, _ = runner.exports_written(calendar.name)
    if written != 0:
        problems.append(f"{label}: the sync after the two wrote {written} appointments again")


calendar.make()
session = None
try:
    session = ConnectedState(cli, calendar)
    runner, problems = session.runner, session.runner.problems
    for r in range(rounds):
        booked = book_all(8 + 3 * r)
        sync_twice_at_once(f"round {r + 1}, booked")
        check_round(f"round {r + 1}, booked", booked)
        moved = book_all(9 + 3 * r)
        sync_twice_at_once(f"round {r + 1}, moved")
        check_round(f"round {r + 1}, moved", moved)
    book_all(8, status="cancelled")
    sync_twice_at_once("cancelled")
    check_round("cancelled", {f"c{i}": None for i in range(COUNT)})
finally:
    calendar.delete()
    if session:
        session.remove()

session.runner.finish()
