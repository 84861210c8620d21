"""A person's session with the calsync program against the Google fake
(tests/fakes/google/google_fake.py), every endpoint pointed at it through config.json:
connect google (this script plays the browser: it opens the printed address, the fake
consents and redirects to the program's loopback listener; before that, the sign-ins
that fail: no client, declined, a forged redirect, a timeout, a refused client, the events
permission unticked), calendars, select, events
another client puts on the fake, sync, blocked (table and JSON), an appointment written,
moved (patched, never replaced) and cancelled (read back through the fake's control API:
once, with the marker), status, doctor, disconnect --revoke (the grant revoked at the
fake), and a calendar that became read-only (that calendar fails, not the sign-in). Also the exit
codes of the refusals on the way, and that no token, code or client secret appears in
any output or any file of the state directory.

  check_google.py CLI GOOGLE_FAKE
"""
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

from cli_runner import FakeServer, Fortnight, Runner, browse, redirect_of, utc

cli, fake_script = sys.argv[1:3]
CLIENT, SECRET = "test-client.apps.googleusercontent.com", "test-client-secret"
WORKSHOP, HOLIDAYS = "garage@example.com", "holidays@example.com"
BERLIN = ZoneInfo("Europe/Berlin")
scratch = tempfile.mkdtemp(prefix="calsync-cli-google-")
state = os.path.join(scratch, "state")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
ENV.update({"CALSYNC_STATE_DIR": state, "CALSYNC_GOOGLE_CLIENT_SECRET": SECRET})
runner = Runner(cli, ENV)
run, check, expect_in, problems = runner.run, runner.check, runner.expect_in, runner.problems

days = Fortnight(BERLIN)
at, date = days.at, days.date


def google_time(t):
    return {"dateTime": t.isoformat(), "timeZone": "Europe/Berlin"}


def blocked():
    """The blocked slots of the session's fortnight and a day: (calendar, start, end)."""
    return runner.blocked(date(0), date(15), "label", "start", "end")


def requests(route):
    """How many API requests of `route` (events.insert ...) the fake has seen."""
    return sum(1 for r in fake.control("requests") if r["route"] == route)


def writes():
    """How many writes to existing events the fake has seen (calsync patches; events.update
    would replace the owner's colour, reminders and other apps' properties)."""
    return requests("events.patch") + requests("events.update")


def instant(when):
    """An EventDateTime's instant, in UTC."""
    return utc(datetime.datetime.fromisoformat(when["dateTime"].replace("Z", "+00:00")))


def authorization_url(line):
    return next((w for w in line.split() if w.startswith(fake.base + "/o/oauth2/v2/auth?")), None)


codes = []  # every authorization code the browser carried back


def consent(url):
    """The browser at the fake's consent page, which redirects it to the listener."""
    back = redirect_of(url)
    check(back is not None and back.startswith("http://127.0.0.1:") and
          urllib.parse.urlparse(back).path == "/callback",
          f"the consent page sent the browser to {back}")
    return back


def back_with(**fields):
    """A browser coming back to the listener with `fields` instead of the fake's answer
    (the person declined, or someone forges a redirect)."""
    def browser(url):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        fields.setdefault("state", query["state"])
        return query["redirect_uri"] + "?" + urllib.parse.urlencode(fields)
    return browser


def sign_in(*args, env=None, browser=consent, expect=0, label="connect google", timeout=60):
    """Runs connect google and plays the browser: the printed address, then `browser`'s
    way back to the loopback listener, and the page the listener answers."""
    signing_in = runner.start("connect", "google", "--timeout", str(timeout), *args, env=env)
    url = signing_in.wait_for(authorization_url)
    page = ""
    if url is None:
        problems.append(f"{label}: no authorization address printed")
        signing_in.proc.kill()
    else:
        back = browser(url)
        if back is not None:
            codes.extend(urllib.parse.parse_qs(urllib.parse.urlparse(back).query).get("code", []))
            _, page = browse(back)
    return url, page, signing_in.finish(expect=expect, label=label)


def exports_on_fake():
    """{appointment id: [event, ...]} of the live events carrying calsync's marker."""
    found = {}
    for event in fake.control("events?calendar=" + WORKSHOP):
        marker = event.get("extendedProperties", {}).get("private", {}).get(
            "calsyncAppointmentId")
        if marker and event.get("status") != "cancelled":
            found.setdefault(marker, []).append(event)
    return found


fake = FakeServer(fake_script)
try:
    fake.control("calendar", {"id": WORKSHOP, "summary": "Workshop", "primary": True,
                              "timeZone": "Europe/Berlin", "accessRole": "owner"})
    fake.control("calendar", {"id": HOLIDAYS, "summary": "Holidays", "accessRole": "reader"})
    os.makedirs(state)
    with open(os.path.join(state, "config.json"), "w") as f:
        # Every endpoint the fake's; the OAuth client comes with the first sign-in.
        json.dump({"zone": "Europe/Berlin", "network": {"allow_private_addresses": True},
                   "google": {"authorization_url": fake.base + "/o/oauth2/v2/auth",
                              "token_url": fake.base + "/token",
                              "revocation_url": fake.base + "/revoke",
                              "api_base_url": fake.base + "/calendar/v3"}}, f)

    # --- refusals before any sign-in: no OAuth client, a secret as an argument (exit 2),
    # the person declining, a forged redirect, nobody coming back (exit 3), no or a wrong
    # client secret (the fake refuses the code exchange with Google's invalid_client)
    done = run("connect", "google", expect=2, label="connect google without a client")
    expect_in(done.stderr, "google.client_id", "connect google without a client")
    done = run("connect", "google", "--client-secret", SECRET, expect=2,
               label="a client secret as an argument")
    expect_in(done.stderr, "never an argument", "a client secret as an argument")
    fake.control("consent", {"deny": True})  # the person clicks "Cancel"
    _, page, done = sign_in("--client-id", CLIENT, expect=3, label="a declined sign-in")
    fake.control("consent", {})
    expect_in(done.stderr, "access_denied", "a declined sign-in")
    expect_in(page, "did not work", "the browser's page after a declined sign-in")
    # A redirect with another state is not this sign-in's: the listener answers 400 and
    # goes on waiting for the real one (here, nobody brings it).
    _, page, done = sign_in("--client-id", CLIENT,
                            browser=back_with(code="4/forged", state="forged." + "A" * 43),
                            expect=3, label="a forged redirect", timeout=3)
    expect_in(page, "Not the sign-in calsync is waiting for", "a forged redirect's page")
    expect_in(done.stderr, "did not come back within 3 s", "a forged redirect")
    done = run("connect", "google", "--client-id", CLIENT, "--timeout", "1", expect=3,
               label="nobody comes back")
    expect_in(done.stderr, "did not come back within 1 s", "nobody comes back")
    for secret in (None, "not-the-secret"):
        _, page, done = sign_in("--client-id", CLIENT,
                                env={"CALSYNC_GOOGLE_CLIENT_SECRET": secret}, expect=1,
                                label=f"connect google with client secret {secret}")
        expect_in(done.stderr, "invalid_client", "a refused OAuth client")
        expect_in(done.stderr, "check its client id and secret", "a refused OAuth client")
        expect_in(page, "did not work", "the browser's page after a refused client")
    check(run("status", "--json").stdout.count('"id"') == 0,
          "a refused sign-in left a connection behind")

    # The person unticks the events permission on Google's consent screen: refused at
    # once, saying which permission is missing (not at the first sync).
    fake.control("consent", {"untick": ["https://www.googleapis.com/auth/calendar.events"]})
    _, page, done = sign_in("--client-id", CLIENT, expect=3,
                            label="a sign-in without the events permission")
    expect_in(done.stderr, "View and edit events on all your calendars",
              "a sign-in without the events permission")
    expect_in(done.stderr, "calendar.events", "a sign-in without the events permission")
    fake.control("consent", {})
    check(run("status", "--json").stdout.count('"id"') == 0,
          "a sign-in without the events permission left a connection behind")

    check("client_id" not in json.load(open(os.path.join(state, "config.json")))["google"],
          "a failed sign-in saved its client id")

    # --- the sign-in; the client id is saved for the syncs (refreshing needs it)
    url, page, done = sign_in("--id", "garage", "--client-id", CLIENT)
    expect_in(done.stdout, "Connected garage (google, " + WORKSHOP + ")", "connect google")
    expect_in(done.stderr, "The browser came back", "connect google")
    expect_in(page, "Your Google calendars are connected", "the page the browser gets")
    for name in ("Workshop", "Holidays"):
        expect_in(done.stdout, name, "connect lists the calendars")
    asked = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query)) if url else {}
    check(asked.get("access_type") == "offline" and asked.get("prompt") == "consent",
          f"a refresh token is asked for: {asked}")
    check(asked.get("code_challenge_method") == "S256" and asked.get("code_challenge"),
          f"PKCE S256: {asked}")
    check(asked.get("scope") == "https://www.googleapis.com/auth/calendar.calendarlist.readonly "
          "https://www.googleapis.com/auth/calendar.events", f"the scopes: {asked.get('scope')}")
    check(asked.get("client_id") == CLIENT and asked.get("state"), f"client and state: {asked}")
    config = json.load(open(os.path.join(state, "config.json")))["google"]
    check(config.get("client_id") == CLIENT and "client_secret" not in config,
          f"the config after the sign-in: {config}")

    # --- calendars and selecting them
    listed = json.loads(run("calendars", "--json").stdout)
    calendars = {c["name"]: c for c in listed["connections"][0]["calendars"]}
    check({n: (c["can_write"], c["is_primary"]) for n, c in calendars.items()} ==
          {"Workshop": (True, True), "Holidays": (False, False)}, f"calendars: {calendars}")
    done = run("select", "Holidays", "--direction", "export", expect=1,
               label="export to a read-only calendar")
    expect_in(done.stderr, "read-only", "export to a read-only calendar")
    run("select", "Nope", "--direction", "import", expect=4, label="an unknown calendar")
    run("select", "Workshop", "--direction", "both")
    run("select", "Holidays", "--direction", "import")
    table = run("calendars", "garage").stdout
    check(re.search(r"Workshop +both +yes +" + re.escape(WORKSHOP), table) and
          re.search(r"Holidays +import +no +" + re.escape(HOLIDAYS), table),
          f"calendars after select:\n{table}")

    # --- another client's events on the fake
    def put(calendar, event):
        fake.control("event?calendar=" + urllib.parse.quote(calendar), event)

    put(WORKSHOP, {"id": "lift1", "summary": "Lift inspection", "start": google_time(at(1, 13)),
                   "end": google_time(at(1, 15))})
    put(WORKSHOP, {"id": "weekly1", "summary": "Parts order", "start": google_time(at(0, 9)),
                   "end": google_time(at(0, 10)), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]})
    put(WORKSHOP, {"id": "weekly1_" + utc(at(7, 9)).replace("-", "").replace(":", ""),
                   "recurringEventId": "weekly1", "status": "cancelled",
                   "originalStartTime": google_time(at(7, 9))})
    put(WORKSHOP, {"id": "note1", "summary": "Call the supplier", "transparency": "transparent",
                   "start": google_time(at(1, 8)), "end": google_time(at(1, 9))})
    put(HOLIDAYS, {"id": "hol1", "summary": "Public holiday", "start": {"date": date(2)},
                   "end": {"date": date(3)}})
    done = run("sync", "--all")
    expect_in(done.stdout, "garage: synced", "sync --all")

    expected = {("Workshop", utc(at(0, 9)), utc(at(0, 10))),
                ("Workshop", utc(at(1, 13)), utc(at(1, 15))),
                ("Holidays", utc(at(2, 0)), utc(at(3, 0))),
                ("Workshop", utc(at(14, 9)), utc(at(14, 10)))}
    seen = blocked()
    check(seen == expected, f"blocked --json: {sorted(seen)}, expected {sorted(expected)}")
    check(runner.blocked(date(0), date(15), "connection_id") == {("garage",)},
          "the slots' connection")
    runner.expect_blocked_table(date(0), date(3), [(at(0, 9), at(0, 10), "", "Workshop"),
                                                   (at(1, 13), at(1, 15), "", "Workshop"),
                                                   (at(2, 0), at(3, 0), "all-day", "Holidays")],
                                "the blocked table")

    # --- an appointment: written once with the marker, not twice, moved, cancelled
    appointment = os.path.join(scratch, "appointment.json")
    expect_in(runner.book(appointment, "g-1", at(1, 10), at(1, 11), service="Oil change",
                          client="J. Weber", vehicle="VW Golf").stdout, "Booked g-1", "upsert")
    written, report = runner.exports_written()
    check(written == 1, f"the sync wrote {written} exports: {report}")
    on_fake = exports_on_fake()
    check(list(on_fake) == ["g-1"] and len(on_fake["g-1"]) == 1, f"on the fake: {on_fake}")
    if on_fake.get("g-1"):
        event = on_fake["g-1"][0]
        check(instant(event["start"]) == utc(at(1, 10)), f"the export's start: {event['start']}")
        check("Oil change" in event.get("summary", "") + event.get("description", ""),
              f"the export's content: {event}")
    inserts, updates = requests("events.insert"), writes()
    run("sync", "--all")
    check(exports_on_fake().keys() == {"g-1"} and len(exports_on_fake()["g-1"]) == 1,
          f"a second sync duplicated the export: {exports_on_fake()}")
    check(requests("events.insert") == inserts, "a second sync inserted again")
    check(writes() == updates, "a sync with nothing changed updated the export")
    check(blocked() == expected, "the export blocks its own calendar (it is imported too)")

    runner.book(appointment, "g-1", at(1, 16), at(1, 17), service="Oil change",
                client="J. Weber", vehicle="VW Golf")
    run("sync")
    moved = exports_on_fake().get("g-1", [])
    check(len(moved) == 1 and instant(moved[0]["start"]) == utc(at(1, 16)),
          f"the moved appointment on the fake: {moved}")
    check(any(r["route"] == "events.patch" and r["if_match"] for r in fake.control("requests")),
          "the move was not a conditional patch")
    check(requests("events.update") == 0, "an export was replaced whole (events.update)")

    # Someone moves calsync's event in Google Calendar: the appointment wins, it goes back.
    if moved:
        put(WORKSHOP, dict(moved[0], start=google_time(at(1, 18)), end=google_time(at(1, 19))))
    updates = writes()
    run("sync", "garage", label="sync after the export was moved in Google Calendar")
    back = exports_on_fake().get("g-1", [])
    check(len(back) == 1 and instant(back[0]["start"]) == utc(at(1, 16)) and
          writes() == updates + 1,
          f"the export moved in Google Calendar was not put back: {back}")

    # The access token stops working: the next sync refreshes it and goes on.
    fake.control("drop_access_tokens", {})
    refreshes = fake.control("stats")["token_requests"]
    run("appointments", "cancel", "g-1")
    done = run("--verbose", "sync", "garage")  # the library's log too, searched for secrets
    expect_in(done.stderr, "calsync: info: connection garage", "sync --verbose")
    check(fake.control("stats")["token_requests"] == refreshes + 1,
          "the sync after the access token was dropped did not refresh it once")
    check(exports_on_fake() == {}, f"the cancelled appointment is still on the fake: "
          f"{exports_on_fake()}")
    run("appointments", "cancel", "no-such-appointment", expect=4,
        label="cancel an unknown appointment")

    # --- status and doctor
    status = json.loads(run("status", "--json").stdout)["connections"]
    check([(c["id"], c["kind"], c["state"], c["status"]["state"]) for c in status] ==
          [("garage", "google", "active", "ok")], f"status --json: {status}")
    text = run("status").stdout
    check(re.search(r"garage +google +ok ", text) is not None, f"status:\n{text}")
    text = run("status", "garage").stdout
    for calendar in (WORKSHOP, HOLIDAYS):
        expect_in(text, f"calendar {calendar}: ok", "status garage")
    doctor = run("doctor").stdout
    expect_in(doctor, "Everything works.", "doctor")
    expect_in(doctor, 'Appointments can be written to "Workshop"', "doctor")
    checks = json.loads(run("doctor", "--json").stdout)
    check(checks["ok"] and all(i["ok"] for i in checks["checks"][0]["items"]),
          f"doctor --json: {checks}")

    # --- the person withdraws calsync's access in their Google account: the sync says to
    # sign in again (exit 3), doctor says how; signing in again mends the connection
    for token in fake.control("tokens")["refresh"]:
        urllib.request.urlopen(fake.base + "/revoke", data=urllib.parse.urlencode(
            {"token": token}).encode()).close()
    fake.control("drop_access_tokens", {})
    done = run("sync", "--all", expect=3, label="sync after the grant was revoked")
    expect_in(done.stdout, "garage: must sign in again", "sync after the grant was revoked")
    text = run("status").stdout
    check(re.search(r"garage +google +must sign in again", text) is not None,
          f"status after the grant was revoked:\n{text}")
    doctor = run("doctor", "garage", expect=1, label="doctor after the grant was revoked").stdout
    expect_in(doctor, "What to do: Reconnect the account", "doctor after the grant was revoked")
    expect_in(doctor, "(calsync connect google)", "doctor names the command that signs in")
    _, _, done = sign_in(label="signing in again after the grant was revoked")
    expect_in(done.stdout, "Reconnected garage", "signing in again")
    done = run("sync", "--all", label="sync after signing in again")
    expect_in(done.stdout, "garage: synced", "sync after signing in again")

    # --- disconnect --revoke: the grant is revoked at the fake, the slots go, the
    # exports stay; signing in again gives the old connection back, nothing written twice
    runner.book(appointment, "g-2", at(3, 8), at(3, 9), service="Tyre change", client="A. Kaya")
    run("sync")
    check(list(exports_on_fake()) == ["g-2"], f"g-2 on the fake: {exports_on_fake()}")
    before = fake.control("tokens")
    done = run("disconnect", "garage", "--revoke")
    expect_in(done.stdout, "withdrew calsync's access", "disconnect --revoke")
    after = fake.control("tokens")
    revoked = [t for t in after["revoked"] if t not in before["revoked"]]
    check(len(revoked) == 1 and revoked[0] in before["refresh"] and
          revoked[0] not in after["refresh"], f"revoked at the fake: {revoked}")
    check(blocked() == set(), "slots after the disconnect")
    check(json.loads(run("status", "--json").stdout)["connections"][0]["state"] ==
          "disconnected", "status after the disconnect")
    done = run("sync", "garage", expect=1, label="sync a disconnected connection")
    expect_in(done.stderr, "connect it again", "sync a disconnected connection")
    check(list(exports_on_fake()) == ["g-2"], "the export did not stay after the disconnect")
    inserts = requests("events.insert")
    _, _, done = sign_in("--verbose", label="connect google again")
    expect_in(done.stdout, "Reconnected garage", "connect google again")
    expect_in(done.stdout, "nothing is written twice", "connect google again")
    # A disconnect forgot what was selected; the person chooses again.
    run("select", "Workshop", "--direction", "both")
    run("select", "Holidays", "--direction", "import")
    run("sync", "--all")
    check(len(exports_on_fake().get("g-2", [])) == 1 and
          requests("events.insert") == inserts,
          f"after the reconnect: {exports_on_fake()}")
    check(blocked() == expected, f"slots after the reconnect: {sorted(blocked())}")

    # --- the owner shares the calendar read-only: that calendar fails (exit 1, named), the
    # sign-in stands; shared for writing again, the appointment reaches it
    fake.control("calendar", {"id": WORKSHOP, "accessRole": "reader"})
    runner.book(appointment, "g-3", at(4, 8), at(4, 9), service="Brakes", client="B. Li")
    done = run("sync", "garage", expect=1, label="sync to a calendar that became read-only")
    expect_in(done.stdout, "garage: failing", "sync to a calendar that became read-only")
    expect_in(done.stdout, '"Workshop"', "sync to a calendar that became read-only")
    expect_in(done.stdout, "read-only", "sync to a calendar that became read-only")
    check("must sign in again" not in done.stdout,
          f"a read-only calendar reads as a sign-in problem:\n{done.stdout}")
    fake.control("calendar", {"id": WORKSHOP, "accessRole": "owner"})
    done = run("sync", "garage", label="sync after the calendar is writable again")
    expect_in(done.stdout, "garage: synced", "sync after the calendar is writable again")
    check(len(exports_on_fake().get("g-3", [])) == 1, f"g-3 on the fake: {exports_on_fake()}")

    # --- secrets: in no output, in no file of the state directory
    issued = fake.control("tokens")["issued"]
    check(len(issued) >= 5, f"fewer tokens than sign-ins and refreshes: {issued}")
    secrets = {f"token {i}": t for i, t in enumerate(issued)}
    secrets.update({f"authorization code {i}": c for i, c in enumerate(codes)})
    secrets["the client secret"] = SECRET
    runner.expect_no_secrets(secrets, state)
finally:
    fake.stop()
    shutil.rmtree(scratch, ignore_errors=True)

runner.finish()
