"""`calsync microsoft` against tests/fakes/graph: the device sign-in approved through the
fake's control API, the sealed connection file, calendars, blocked slots, and the rotated
refresh token written back. Usage: check_microsoft.py CALSYNC_PROGRAM GRAPH_FAKE"""
import json
import os
import stat
import subprocess
import sys
import tempfile
import urllib.request


def main():
    program, fake_script = sys.argv[1], sys.argv[2]
    fake = subprocess.Popen([sys.executable, fake_script], stdout=subprocess.PIPE)
    port = int(fake.stdout.readline())
    root = f"http://127.0.0.1:{port}"

    def control(what, body=None):
        request = urllib.request.Request(root + "/_control/" + what, method="POST",
                                         data=json.dumps(body or {}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as reply:
            return json.loads(reply.read())

    failures = []

    def check(condition, what):
        if not condition:
            failures.append(what)
            print("FAILED:", what)

    try:
        control("config", {"device_interval": 1})
        control("event", {"subject": "MOT", "start": "2026-03-02T09:00:00Z",
                          "end": "2026-03-02T10:00:00Z"})
        control("event", {"subject": "lunch", "showAs": "free", "start": "2026-03-02T12:00:00Z",
                          "end": "2026-03-02T13:00:00Z"})
        work = tempfile.mkdtemp()
        connection = os.path.join(work, "outlook.conn")
        key_file = os.path.join(work, "host.key")
        env = dict(os.environ)
        env.pop("CALSYNC_HOST_KEY", None)
        common = ["--tokens", connection, "--key-file", key_file]
        endpoints = ["--tenant", "consumers", "--authority", root, "--api-url", root + "/v1.0",
                     "--allow-private-addresses"]

        # connect: read the code the program shows, approve it as the person would.
        signing_in = subprocess.Popen(
            [program, "microsoft", "connect", "--client-id", "calsync-cli"] + common + endpoints,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        first = signing_in.stdout.readline()
        check("enter the code" in first and f"{root}/devicelogin" in first,
              f"connect shows the code and where to enter it: {first!r}")
        user_code = first.rsplit(" ", 1)[-1].strip()
        control("approve_device", {"user_code": user_code})
        out, err = signing_in.communicate(timeout=60)
        check(signing_in.returncode == 0, f"connect succeeds: {out} {err}")
        check("Signed in" in out, "connect says it is done")
        for path in (connection, key_file):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            check(mode == 0o600, f"{os.path.basename(path)} is owner-only (mode {oct(mode)})")
        sealed = open(connection).read()
        check(sealed.startswith("v1."), "the connection file is sealed")
        scopes = [f.get("scope") for f in control_stats(root)["token_forms"]
                  if "grant_type" not in f]
        check(scopes == ["Calendars.ReadWrite offline_access"],
              f"connect asked the device endpoint for the write scope and a refresh token: "
              f"{scopes}")
        grants = {f["grant_type"] for f in control_stats(root)["token_forms"] if "grant_type" in f}
        check(grants == {"urn:ietf:params:oauth:grant-type:device_code"},
              f"connect used the device grant only: {grants}")
        check("at-" not in sealed and "rt-" not in sealed, "no token is readable in the file")

        def run(*args, key_env=None):
            e = dict(env)
            if key_env is not None:
                e["CALSYNC_HOST_KEY"] = key_env
            return subprocess.run([program, "microsoft"] + list(args) + common, env=e,
                                  capture_output=True, text=True, timeout=60)

        listed = run("calendars", "--json")
        check(listed.returncode == 0, f"calendars succeeds: {listed.stderr}")
        calendars = json.loads(listed.stdout)["calendars"]
        check([c["name"] for c in calendars] == ["Calendar", "Workshop", "Holidays"],
              f"the three calendars: {calendars}")
        check(calendars[0]["owner"] == "owner@garage.example", "the owner is listed")
        check(not calendars[2]["can_write"], "Holidays cannot take exports")

        events = run("events", "--calendar", "Calendar", "--from", "2026-03-01", "--to",
                     "2026-03-31", "--tz", "Europe/Berlin")
        check(events.returncode == 0, f"events succeeds: {events.stderr}")
        check("2026-03-02 10:00 +0100  2026-03-02 11:00 +0100" in events.stdout,
              f"MOT blocks 10:00-11:00 Berlin time: {events.stdout}")
        check("1 blocked slots" in events.stdout, "the free lunch does not block")

        # The access token is dropped: the refresh rotates the refresh token, which the
        # program writes back, sealed, so the next run still works.
        control("expire_access_tokens")
        again = run("calendars")
        check(again.returncode == 0, f"calendars after a refresh: {again.stderr}")
        rewritten = open(connection).read()
        check(rewritten != sealed, "the rotated tokens were written back")
        # Only the newest refresh token works from here: the file must hold it.
        control("revoke_refresh_tokens", {"keep_latest": True})
        control("expire_access_tokens")
        latest = run("calendars")
        check(latest.returncode == 0, f"the file holds the rotated token: {latest.stderr}")

        wrong = run("calendars", key_env="QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY")
        check(wrong.returncode == 1 and "cannot be opened with this host key" in wrong.stderr,
              f"another host key cannot open the file: {wrong.stderr}")
        missing = subprocess.run([program, "microsoft", "events", "--tokens", connection],
                                 capture_output=True, text=True)
        check(missing.returncode == 2 and "--calendar is required" in missing.stderr,
              "events without --calendar is a usage error")
    finally:
        fake.terminate()
        fake.wait()
    if failures:
        sys.exit(f"{len(failures)} checks failed")
    print("all checks passed")


def control_stats(root):
    request = urllib.request.Request(root + "/_control/stats", method="POST", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as reply:
        return json.loads(reply.read())


if __name__ == "__main__":
    main()
