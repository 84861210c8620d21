"""`calsync google connect|calendars|events` against tests/fakes/google/google_fake.py.

The script plays the person and the browser: it starts `calsync google connect`, opens
the address it prints (the fake's consent page, which redirects to the CLI's loopback
listener), and follows that redirect. Then it lists calendars and shows blocked slots
through the saved, sealed connection file.

  check_google.py CLI FAKE_SCRIPT
"""
import json
import os
import stat
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

cli, fake_script = sys.argv[1], sys.argv[2]
problems = []
CLIENT = "test-client.apps.googleusercontent.com"
SECRET = "test-client-secret"


def check(ok, what):
    if not ok:
        problems.append(what)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def control(name, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/_control/" + name, data=data,
                                     method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request) as r:
        return json.loads(r.read() or b"null")


def run(args, env, expect=0):
    result = subprocess.run([cli, "google"] + args, env=env, capture_output=True, text=True,
                            timeout=60)
    if result.returncode != expect:
        problems.append("calsync google %s: exit %d, expected %d\n%s%s" % (
            " ".join(args), result.returncode, expect, result.stdout, result.stderr))
    return result


fake = subprocess.Popen([sys.executable, fake_script], stdout=subprocess.PIPE)
try:
    base = "http://127.0.0.1:%d" % int(fake.stdout.readline())
    control("calendar", {"id": "garage@example.com", "summary": "Workshop", "primary": True,
                         "timeZone": "Europe/Berlin", "accessRole": "owner"})
    control("calendar", {"id": "holidays@example.com", "summary": "Holidays",
                         "accessRole": "reader"})
    control("event?calendar=garage@example.com", {
        "id": "weekly1", "summary": "Parts order",
        "start": {"dateTime": "2026-03-02T09:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-03-02T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]})
    control("event?calendar=garage@example.com", {
        "id": "weekly1_20260309T080000Z", "recurringEventId": "weekly1", "status": "cancelled",
        "originalStartTime": {"dateTime": "2026-03-09T09:00:00+01:00",
                              "timeZone": "Europe/Berlin"}})

    home = tempfile.mkdtemp(prefix="calsync-google-cli-")
    tokens = os.path.join(home, "google.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
    env.update({"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "config"),
                "CALSYNC_GOOGLE_CLIENT_SECRET": SECRET})
    endpoints = ["--auth-url", base + "/o/oauth2/v2/auth", "--token-url", base + "/token",
                 "--revoke-url", base + "/revoke", "--api-url", base + "/calendar/v3",
                 "--allow-private-addresses"]

    # -- connect, with the script as the browser --------------------------------------
    connect = subprocess.Popen([cli, "google", "connect", "--tokens", tokens, "--client-id",
                                CLIENT, "--timeout", "30"] + endpoints, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    for line in connect.stdout:
        if line.strip().startswith(base + "/o/oauth2/v2/auth?"):
            url = line.strip()
            break
    check(url is not None, "connect printed no authorization address")
    if url is not None:
        browser = urllib.request.build_opener(NoRedirect)
        try:
            browser.open(url)
            problems.append("the consent page did not redirect")
        except urllib.error.HTTPError as redirect:
            location = redirect.headers["Location"]
            check(location.startswith("http://127.0.0.1:"), "redirect to " + location)
            with urllib.request.urlopen(location) as page:
                check(b"received the sign-in" in page.read(), "the loopback page")
    out, err = connect.communicate(timeout=30)
    check(connect.returncode == 0, "connect exited %s: %s" % (connect.returncode, err))
    check("Connected" in out, "connect did not say it connected: " + out)

    asked = control("authorizations")[-1]
    check(asked.get("access_type") == "offline", "access_type: %s" % asked)
    check(asked.get("prompt") == "consent", "prompt: %s" % asked)
    check(asked.get("code_challenge_method") == "S256", "PKCE: %s" % asked)
    check(asked.get("scope") == "https://www.googleapis.com/auth/calendar.calendarlist.readonly "
          "https://www.googleapis.com/auth/calendar.events.readonly", "scope: %s" % asked)
    check(asked.get("redirect_uri", "").startswith("http://127.0.0.1:"), "loopback redirect")

    # The connection file and the generated key: private, and no secret in the clear.
    key_file = os.path.join(home, "config", "calsync", "host.key")
    for path in (tokens, key_file):
        mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
        check(mode == 0o600, "%s has mode %s" % (path, oct(mode) if mode else "missing"))
    saved = open(tokens).read()
    check("ya29." not in saved and "1//" not in saved and SECRET not in saved,
          "tokens or secret in the clear in the connection file")
    check(json.loads(saved)["tokens"].startswith("v1."), "tokens are not sealed")

    # -- calendars and events through the connection file ---------------------------------
    listed = run(["calendars", "--tokens", tokens], env)
    check("Workshop" in listed.stdout and "Holidays" in listed.stdout, listed.stdout)
    as_json = json.loads(run(["calendars", "--tokens", tokens, "--json"], env).stdout)
    writable = {c["name"]: c["can_write"] for c in as_json["calendars"]}
    check(writable == {"Workshop": True, "Holidays": False}, "can_write: %s" % writable)

    control("drop_access_tokens")  # the next call refreshes, and the file is updated
    events = run(["events", "--tokens", tokens, "--calendar", "Workshop", "--from",
                  "2026-03-01", "--to", "2026-03-31", "--tz", "Europe/Berlin", "--json"], env)
    slots = [(s["start"], s["end"]) for s in json.loads(events.stdout or "{}").get("slots", [])]
    check(slots == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
                    ("2026-03-16T08:00:00Z", "2026-03-16T09:00:00Z")], "slots: %s" % slots)
    check(open(tokens).read() != saved, "the refreshed tokens were not saved")
    table = run(["events", "--tokens", tokens, "--calendar", "garage@example.com", "--from",
                 "2026-03-01", "--to", "2026-03-31", "--tz", "Europe/Berlin"], env)
    check("2026-03-16 09:00 +0100" in table.stdout and "Workshop" in table.stdout, table.stdout)

    # -- what goes wrong ------------------------------------------------------------
    wrong_key = dict(env, CALSYNC_HOST_KEY="eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg")
    refused = run(["calendars", "--tokens", tokens], wrong_key, expect=1)
    check("cannot be opened with this host key" in refused.stderr, "wrong key: " + refused.stderr)
    secret_arg = run(["connect", "--tokens", tokens, "--client-id", CLIENT, "--client-secret",
                      SECRET], env, expect=2)
    check("never an argument" in secret_arg.stderr, secret_arg.stderr)
    missing = run(["events", "--tokens", tokens, "--calendar", "Nope", "--from", "2026-03-01",
                   "--to", "2026-03-02", "--tz", "UTC"], env, expect=1)
    check("no calendar 'Nope'" in missing.stderr, missing.stderr)
    for result in (listed, events, table, refused, missing):
        for leak in ("ya29.", "1//fake", SECRET):
            check(leak not in result.stdout + result.stderr, "%s printed by the CLI" % leak)
finally:
    fake.kill()
    fake.wait()

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")
