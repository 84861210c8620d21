"""The whole calsync flow in one command, on this machine only: starts a Radicale CalDAV
server on 127.0.0.1 with the sample garage's calendars (examples/data/*.ics), connects
the `calsync` program to it with its SQLite state in a temporary directory, syncs, shows
what customers cannot book, writes the sample appointments (examples/data/
appointments.json) to the Workshop calendar, reads them back from the server as another
calendar app would, cancels one, and stops the server. Exits nonzero on any failure.

  python3 demo_radicale.py CALSYNC_PROGRAM
"""
import base64
import datetime
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "examples", "data")
DAV_SERVER = os.path.join(ROOT, "tests", "tools", "dav_server.py")
SAMPLES = ["workshop.ics", "personal.ics", "no-name.ics"]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


class DemoFailed(Exception):
    pass


def step(title):
    print(f"\n=== {title} ===", flush=True)


def run(cli, env, *args, show=True):
    """Runs `calsync ARGS` as a person would type it; its output goes to the terminal."""
    if show:
        print("$ calsync " + " ".join(shlex.quote(a) for a in args), flush=True)
    done = subprocess.run([cli, *args], env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise DemoFailed(f"calsync {' '.join(args)} exited with status {done.returncode}")


def tool(*args):
    done = subprocess.run([sys.executable, DAV_SERVER, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise DemoFailed(f"dav_server.py {args[0]}: {done.stderr.strip() or done.stdout}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None


def exported_events(server, calendar_url):
    """The events calsync wrote to a calendar, read with a plain CalDAV calendar-query
    (RFC 4791 7.8), as any other calendar app would see them."""
    body = ('<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
            '</c:comp-filter></c:filter></c:calendar-query>').encode()
    request = urllib.request.Request(calendar_url, data=body, method="REPORT")
    token = base64.b64encode(f"{server['user']}:{server['password']}".encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    request.add_header("Depth", "1")
    request.add_header("Content-Type", "application/xml")
    with urllib.request.urlopen(request, timeout=10) as response:
        tree = ET.fromstring(response.read())
    events = []
    for data in tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
        text = re.sub(r"\r?\n[ \t]", "", data.text or "")
        fields = dict(re.findall(r"^([A-Z-]+)(?:;[^:\n]*)?:(.*?)\r?$", text, re.M))
        if "X-CALSYNC-APPOINTMENT-ID" in fields:
            events.append(fields)
    return sorted(events, key=lambda e: e.get("DTSTART", ""))


def unescape(text):
    """RFC 5545 3.3.11: TEXT escapes."""
    return re.sub(r"\\([\\;,nN])", lambda m: " " if m.group(1) in "nN" else m.group(1), text)


def show_exported(server, calendar_url):
    events = exported_events(server, calendar_url)
    for e in events:
        start = datetime.datetime.strptime(e["DTSTART"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).astimezone(BERLIN)
        print(f"  {start:%Y-%m-%d %H:%M %z}  {unescape(e.get('SUMMARY', ''))}"
              f"   [UID {e.get('UID', '')}]")
    if not events:
        print("  (none)")
    return events


def demo(cli, workdir):
    radicale = os.path.join(workdir, "radicale")
    state = os.path.join(workdir, "state")
    os.makedirs(state)
    # The sample calendars are of June 2026: the sync window reaches back to them.
    days_back = max(1, (datetime.date.today() - datetime.date(2026, 5, 25)).days)
    with open(os.path.join(state, "config.json"), "w") as f:
        json.dump({"zone": "Europe/Berlin",
                   "window": {"days_back": days_back, "days_ahead": 365},
                   "network": {"allow_private_addresses": True}}, f)
    env = dict(os.environ, CALSYNC_STATE_DIR=state)

    step("1. A calendar server for the garage")
    server = tool("start", "radicale", "--dir", radicale)
    try:
        calendars = tool("ics", "--dir", radicale, *(os.path.join(DATA, s) for s in SAMPLES))
        print(f"Radicale (a CalDAV server) runs on {server['url']} with the garage's calendars:")
        for stem, url in calendars.items():
            print(f"  {url}   from examples/data/{stem}.ics")
        env["CALSYNC_PASSWORD"] = server["password"]

        step("2. Connect calsync to the server (the password comes from $CALSYNC_PASSWORD)")
        print(f"calsync keeps its state in {state} (SQLite; normally ~/.local/share/calsync)")
        run(cli, env, "connect", "caldav", server["url"], "--user", server["user"],
            "--id", "garage")

        step("3. Choose what to sync")
        run(cli, env, "select", "Workshop", "--direction", "both")
        run(cli, env, "select", "Personal", "--direction", "import")
        run(cli, env, "select", calendars["no-name"], "--direction", "import")

        step("4. The garage's bookings")
        run(cli, env, "appointments", "upsert", os.path.join(DATA, "appointments.json"))

        step("5. Sync: read the calendars, write the bookings")
        run(cli, env, "sync", "--all")

        step("6. What customers cannot book, 1-14 June 2026 (Berlin time)")
        print("Cancelled and free (transparent) events do not block, nor do the bookings\n"
              "calsync wrote to Workshop itself (appt-1042 in workshop.ics is one of an\n"
              "earlier run). The declined webinar blocks: a CalDAV account does not tell\n"
              "calsync whose answer counts (`calsync demo` passes --owner for that).")
        run(cli, env, "blocked", "--from", "2026-06-01", "--to", "2026-06-15")
        print("\nFree hours on 2 June as far as the calendars go (the booking system itself\n"
              "knows that appt-2001 takes 10:00):")
        run(cli, env, "free", "--from", "2026-06-02T08:00:00+02:00", "--to",
            "2026-06-02T18:00:00+02:00", "--duration", "1h", "--step", "1h")

        step("7. The bookings on the server, read back from Radicale as another app sees them")
        shown = show_exported(server, calendars["workshop"])
        if not {"appt-2001", "appt-2002", "appt-2003"} <= {e["X-CALSYNC-APPOINTMENT-ID"]
                                                           for e in shown}:
            raise DemoFailed("the three sample appointments are not all on the server")

        step("8. A customer cancels; the next sync deletes the booking from the calendar")
        run(cli, env, "appointments", "cancel", "appt-2003")
        run(cli, env, "sync", "garage")
        shown = show_exported(server, calendars["workshop"])
        if "appt-2003" in {e["X-CALSYNC-APPOINTMENT-ID"] for e in shown}:
            raise DemoFailed("the cancelled appointment is still on the server")

        step("9. How everything is doing")
        run(cli, env, "status")
        run(cli, env, "doctor")
    finally:
        tool("stop", "--dir", radicale)
        print("\nRadicale stopped.")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="calsync-demo-") as workdir:
        try:
            demo(cli, workdir)
        except (DemoFailed, OSError) as e:
            print(f"\ndemo failed: {e}", file=sys.stderr)
            return 1
    print("Demo finished: every step worked. (Its state and the server's data are removed.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
