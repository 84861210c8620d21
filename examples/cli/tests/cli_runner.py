"""What the CLI's scripted sessions share: running the calsync program as a person would
(no terminal, no standard input unless given), a sign-in left running while the script
plays the browser or the other device, a fake server with its control API, and the
search for secrets in what the program printed and kept."""
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


class Runner:
    def __init__(self, cli, env):
        self.cli = cli
        self.env = env
        self.problems = []
        self.outputs = []  # every stdout + stderr, to look for leaked secrets

    def _env(self, env):
        """`env` adds to (None: removes from) the environment."""
        full = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        return full

    def run(self, *args, expect=0, env=None, stdin=None, label=None):
        """Runs `calsync ARGS` to its end."""
        # A new session has no controlling terminal, so no prompt can open one.
        done = subprocess.run([self.cli, *args], capture_output=True, text=True,
                              env=self._env(env), input=stdin, start_new_session=True,
                              stdin=None if stdin is not None else subprocess.DEVNULL,
                              timeout=120)
        self.outputs.append(done.stdout + done.stderr)
        self.expect_exit(done, expect, label or args)
        return done

    def start(self, *args, env=None):
        """Starts `calsync ARGS` and leaves it running (a sign-in that waits)."""
        return Running(self, [self.cli, *args], self._env(env))

    def expect_exit(self, done, expect, label):
        if done.returncode != expect:
            self.problems.append(
                f"{label}: exit {done.returncode}, expected {expect}\n"
                f"  stdout: {done.stdout[-800:]}\n  stderr: {done.stderr[-800:]}")

    def expect_in(self, text, needle, label):
        if needle not in text:
            self.problems.append(f"{label}: {needle!r} not in:\n{text}")

    def blocked(self, start, end, *fields):
        """`calsync blocked --json` over [start, end): the slots as a set of tuples of
        `fields` (label, start, end ...)."""
        doc = json.loads(self.run("blocked", "--from", start, "--to", end, "--json").stdout
                         or '{"slots": []}')
        return {tuple(s[f] for f in fields) for s in doc["slots"]}

    def book(self, path, appointment_id, start, end, **fields):
        """`calsync appointments upsert` of one appointment written to `path`."""
        with open(path, "w") as f:
            json.dump(dict(fields, id=appointment_id, start=start.isoformat(),
                           end=end.isoformat()), f)
        return self.run("appointments", "upsert", path)

    def exports_written(self, *args):
        """`calsync sync --json ARGS`: how many appointments it wrote, and its reports."""
        reports = json.loads(self.run("sync", "--json", *args).stdout or '{"reports": []}')[
            "reports"]
        return sum(c["exports_written"] for r in reports for c in r["calendars"]), reports

    def expect_blocked_table(self, start, end, slots, label):
        """`calsync blocked` over [start, end) shows exactly `slots`, each (start, end,
        flags, calendar) as a row of its table."""
        table = self.run("blocked", "--from", start, "--to", end).stdout
        for first, last, flags, calendar in slots:
            self.expect_in(table, f"{shown(first)}  {shown(last)}  {flags:<9}  {calendar}", label)
        self.expect_in(table, f"\n{len(slots)} blocked slots;", label)

    def check(self, ok, what):
        if not ok:
            self.problems.append(what)

    def expect_no_secrets(self, secrets, state_dir):
        """No secret (name -> value) in any output so far nor in any file under
        `state_dir` (the store, its journal, the key file's neighbours, the config)."""
        secrets = {name: value for name, value in secrets.items() if value}
        for i, text in enumerate(self.outputs):
            for name, value in secrets.items():
                if value in text:
                    self.problems.append(f"{name} appears in the output of command {i + 1}")
        for root, _, files in os.walk(state_dir):
            for file in files:
                path = os.path.join(root, file)
                with open(path, "rb") as f:
                    content = f.read()
                for name, value in secrets.items():
                    if value.encode() in content:
                        self.problems.append(f"{name} is in {os.path.relpath(path, state_dir)}"
                                             " in clear")

    def finish(self):
        if self.problems:
            print("\n\n".join(self.problems))
            sys.exit(1)
        print("ok")


class Running:
    """The program running, its stderr (where sign-in instructions go) read as it comes."""

    def __init__(self, runner, argv, env):
        self.runner = runner
        self.argv = argv
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.err_lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.err_lines.append(line)

    def wait_for(self, predicate, seconds=30):
        """The first truthy predicate(line) of stderr, or None after `seconds`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            for line in list(self.err_lines):
                found = predicate(line)
                if found:
                    return found
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        return None

    def wait_for_match(self, pattern, seconds=30):
        """The first group of `pattern` (a regex) in stderr so far, or None after
        `seconds`."""
        compiled = re.compile(pattern)
        found = self.wait_for(lambda _: compiled.search("".join(self.err_lines)), seconds)
        return found.group(1) if found else None

    def finish(self, expect=0, label=None, seconds=120):
        """Waits for the end; a CompletedProcess, its exit checked against `expect`."""
        try:
            out = self.proc.stdout.read()
            rc = self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, rc = "", self.proc.wait()
        self.reader.join(timeout=5)
        done = subprocess.CompletedProcess(self.argv, rc, out, "".join(self.err_lines))
        self.runner.outputs.append(done.stdout + done.stderr)
        self.runner.expect_exit(done, expect, label or self.argv[1:])
        return done


class FakeServer:
    """A fake under tests/fakes/ on a free port of 127.0.0.1 (it prints the port first),
    stopped by stop()."""

    def __init__(self, script):
        self.proc = subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE,
                                     text=True)
        self.port = int(self.proc.stdout.readline())
        self.base = f"http://127.0.0.1:{self.port}"

    def control(self, name, body=None):
        """The fake's test control API: POST with a JSON body, or GET without one."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + "/_control/" + name, data=data,
            method="POST" if data is not None else "GET",
            headers={"Content-Type": "application/json"} if data is not None else {})
        with urllib.request.urlopen(request, timeout=15) as reply:
            return json.loads(reply.read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def redirect_of(url):
    """The Location a GET of `url` is redirected to (the consent page's answer), or None."""
    try:
        urllib.request.build_opener(NoRedirect).open(url, timeout=15)
    except urllib.error.HTTPError as answer:
        if answer.code in (301, 302, 303, 307):
            return answer.headers["Location"]
    return None


def browse(url):
    """A GET as a browser makes it, redirects followed: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Fortnight:
    """Times of a session's events: days counted from a Monday two weeks or so ahead, so
    they fall inside the default sync window (1 day back, 365 ahead) whenever it runs."""

    def __init__(self, zone):
        self.zone = zone
        today = datetime.datetime.now(zone).date()
        self.monday = today + datetime.timedelta(days=14 + (7 - today.weekday()) % 7)

    def at(self, day, hour, minute=0):
        """Local time `day` days after the Monday."""
        d = self.monday + datetime.timedelta(days=day)
        return datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.zone)

    def date(self, day):
        return (self.monday + datetime.timedelta(days=day)).isoformat()


def utc(moment):
    """RFC 3339 in UTC, as the library writes instants."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(moment):
    """As the program prints a time: local, with the offset."""
    return moment.strftime("%Y-%m-%d %H:%M %z")
