"""The calsync program as a person meets it before any server: where it keeps its state
(XDG data directory, --state, $CALSYNC_STATE_DIR), the host key file (mode 0600, kept,
$CALSYNC_HOST_KEY), the config file, --help on every command, the documented exit
codes, and a small session on an ICS feed served by tests/fakes/fault_server.py
(settings remembered, appointments from a file and from standard input, the progress
line only on a terminal, the team feed).

  check_state.py CLI FAULT_SERVER DATA_DIR
"""
import json
import os
import pty
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile

from cli_runner import Runner

cli, fault_server, data = sys.argv[1:4]
scratch = tempfile.mkdtemp(prefix="calsync-cli-state-")
home = os.path.join(scratch, "home")
os.makedirs(home)
BASE_ENV = {k: v for k, v in os.environ.items()
            if not k.startswith("CALSYNC_") and k not in ("XDG_DATA_HOME", "HOME")}
BASE_ENV["HOME"] = home
runner = Runner(cli, BASE_ENV)
run, expect_in, problems = runner.run, runner.expect_in, runner.problems


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# --- --help: the overview, every command's own, and the exit codes
overview = run("--help").stdout
names = re.findall(r"^  ([a-z]+) {2,}", overview.split("commands:")[1].split("global")[0], re.M)
for command in ("connect", "calendars", "select", "sync", "status", "blocked", "free",
                "appointments", "disconnect", "doctor", "feed"):
    if command not in names:
        problems.append(f"`calsync --help` does not list {command}: {names}")
for name in names:
    for args in ((name, "--help"), ("help", name)):
        expect_in(run(*args).stdout, f"usage: calsync {name}", f"{args}")
for line in ("0  done", "2  usage error", "3  sign-in refused or needed", "4  not found"):
    expect_in(overview, line, "the exit codes in --help")

# --- usage errors: exit 2, nothing done, no state made
for args, message in [
        (("frobnicate",), "unknown command 'frobnicate'"),
        (("status", "--bogus"), "unknown option '--bogus'"),
        (("connect",), "which service?"),
        (("connect", "ftp", "x"), "unknown service 'ftp'"),
        (("connect", "caldav", "https://dav.example/", "--user", "u", "--password", "hunter2"),
         "never an argument"),
        (("select", "Workshop"), "--direction is required"),
        (("select", "Workshop", "--direction", "sideways"), "import, export or both"),
        (("free", "--from", "2026-06-01", "--to", "2026-06-02"), "--duration is required"),
        (("free", "--from", "2026-06-01", "--to", "2026-06-02", "--duration", "1x"),
         "expected a duration"),
        (("blocked",), "--from and --to are required"),
        (("appointments", "shuffle"), "expected upsert FILE, cancel ID or list"),
        (("appointments", "upsert"), "which FILE?"),
        (("disconnect",), "which connection?"),
        (("sync", "--all", "some-connection"), "either --all or a CONNECTION")]:
    done = run(*args, expect=2, label=args)
    expect_in(done.stderr, message, f"{args}")
    if "hunter2" in done.stdout + done.stderr:
        problems.append(f"{args}: the password was echoed")
if os.path.exists(os.path.join(home, ".local")):
    problems.append("a usage error made the state directory")

# --- where the state lives: only a command that adds something makes it; the others say
# there is none (exit 4) and leave nothing behind
default_dir = os.path.join(home, ".local", "share", "calsync")
for args in (("status",), ("doctor",), ("calendars",), ("sync", "--all"), ("feed",),
             ("appointments", "list"), ("appointments", "cancel", "a-1"),
             ("blocked", "--from", "2026-06-01", "--to", "2026-06-02"),
             ("free", "--from", "2026-06-01", "--to", "2026-06-02", "--duration", "1h"),
             ("select", "Workshop", "--direction", "import"), ("disconnect", "garage")):
    done = run(*args, expect=4, label=f"{args} without a state")
    expect_in(done.stderr, f"no calsync state in {default_dir}", f"{args} without a state")
if os.path.exists(os.path.join(home, ".local")):
    problems.append("a command without a state to work on made the state directory")
make_state = ("appointments", "upsert", os.path.join(data, "appointments.json"))
# Whatever the umask, what calsync writes is the person's alone.
umask = os.umask(0)
try:
    run(*make_state)
finally:
    os.umask(umask)
key = os.path.join(default_dir, "host.key")
store = os.path.join(default_dir, "calsync.sqlite")
if not os.path.isfile(store):
    problems.append(f"no store in the XDG default {default_dir}")
elif (mode(key), mode(store), mode(default_dir)) != (0o600, 0o600, 0o700):
    problems.append(f"modes under umask 000: key {oct(mode(key))}, store {oct(mode(store))}, "
                    f"directory {oct(mode(default_dir))}")
first_key = open(key).read()
if not re.fullmatch(r"[0-9a-f]{64}\n", first_key):
    problems.append(f"the key file holds {first_key!r}, not 64 hex digits")
run("status")
if open(key).read() != first_key:
    problems.append("the key file changed on the second run")
xdg = os.path.join(scratch, "xdg")
run(*make_state, env={"XDG_DATA_HOME": xdg})
if not os.path.isfile(os.path.join(xdg, "calsync", "host.key")):
    problems.append("$XDG_DATA_HOME/calsync was not used")
run("status", env={"XDG_DATA_HOME": "relative/path"})
if os.path.exists("relative"):
    problems.append("a relative XDG_DATA_HOME was used (the spec says ignore it)")
by_env = os.path.join(scratch, "by-env")
by_option = os.path.join(scratch, "by-option")
run(*make_state, "--state", by_option, env={"CALSYNC_STATE_DIR": by_env})
if not os.path.isdir(by_option) or os.path.exists(by_env):
    problems.append("--state does not win over $CALSYNC_STATE_DIR")
done = run("status", "--state", by_option, env={"CALSYNC_STATE_DIR": by_env})
expect_in(done.stdout, f"State: {by_option}", "status names the state directory")
expected_key = "ab" * 32
keyless = os.path.join(scratch, "keyless")
run(*make_state, env={"CALSYNC_STATE_DIR": keyless, "CALSYNC_HOST_KEY": expected_key})
if os.path.exists(os.path.join(keyless, "host.key")):
    problems.append("a key file was made although $CALSYNC_HOST_KEY was set")
done = run("status", env={"CALSYNC_STATE_DIR": keyless, "CALSYNC_HOST_KEY": "abcd"}, expect=1)
expect_in(done.stderr, "at least 64 hex digits", "a short $CALSYNC_HOST_KEY")
os.chmod(key, 0o644)
expect_in(run("status").stderr, "can be read by other users", "a key file others can read")
os.chmod(key, 0o600)

# --- the config file
state = os.path.join(scratch, "state")
os.makedirs(state)
config = os.path.join(state, "config.json")
with open(config, "w") as f:
    f.write("{not json")
env = {"CALSYNC_STATE_DIR": state}
done = run("status", env=env, expect=2)
expect_in(done.stderr, config, "a broken config file is named")
with open(config, "w") as f:
    json.dump({"window": {"days_back": 2000, "days_ahead": 2000}}, f)
done = run("status", "--zone", "Mars/Olympus_Mons", env=env, expect=2)
expect_in(done.stderr, "unknown time zone", "an unknown --zone")

# --- nothing connected yet
expect_in(run("status", env=env).stdout, "No account is connected yet", "status, empty")
expect_in(run("doctor", env=env, expect=1).stdout, "No calendar account is connected",
          "doctor, empty")
expect_in(run("calendars", env=env, expect=4).stderr, "no calendar account is connected",
          "calendars, empty")
expect_in(run("status", "nobody", env=env, expect=4).stderr, "no connection 'nobody'",
          "status of an unknown connection")

# --- a session on an ICS feed from the fault server
server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline())
    feed = f"http://127.0.0.1:{port}/feed?file={data}/personal.ics"
    done = run("connect", "ics", feed, "--name", "Personal", "--owner", "owner@garage.example",
               "--id", "personal", "--zone", "Europe/Berlin", "--allow-private-addresses",
               env=env)
    expect_in(done.stdout, "Connected personal", "connect ics")
    saved = json.load(open(config))
    if saved.get("zone") != "Europe/Berlin" or \
            not saved.get("network", {}).get("allow_private_addresses") or \
            saved.get("window", {}).get("days_back") != 2000:
        problems.append(f"connect did not remember its settings beside the rest: {saved}")
    # From here on, no --zone and no --allow-private-addresses: the config has them.
    run("select", "Personal", "--direction", "both", env=env, expect=1,
        label="a feed cannot take exports")
    run("select", "Nowhere", "--direction", "import", env=env, expect=4)
    run("select", "Personal", "--direction", "import", env=env)
    # The progress line: never in a pipe, on a terminal it is there and erased.
    done = run("sync", "--all", env=env)
    if "\x1b[K" in done.stderr or "\r" in done.stderr:
        problems.append(f"a progress line went to a pipe: {done.stderr!r}")
    expect_in(done.stdout, "personal: synced", "sync --all")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([cli, "sync", "personal"], env=dict(BASE_ENV, **env),
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    terminal = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 10)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    proc.wait(timeout=30)
    os.close(leader)
    if b"syncing personal" not in terminal or not terminal.endswith(b"\r\x1b[K"):
        problems.append(f"no progress line (erased at the end) on a terminal: {terminal!r}")

    slots = json.loads(run("blocked", "--from", "2026-06-01", "--to", "2026-06-15", "--json",
                           env=env).stdout)["slots"]
    got = {(s["event_id"], s["start"], s["label"]) for s in slots}
    # Berlin is UTC+2 in June; the owner declined the webinar, so it does not block.
    if got != {("dentist", "2026-06-02T13:30:00Z", "Personal"),
               ("summer-holiday", "2026-06-09T22:00:00Z", "Personal")}:
        problems.append(f"blocked slots from the stored feed: {sorted(got)}")
    # Dates are midnights in the business's zone: 8-10 June in Berlin ends at
    # 2026-06-09T22:00Z, where the holiday begins, so the holiday is not in it.
    edge = json.loads(run("blocked", "--from", "2026-06-08", "--to", "2026-06-10", "--json",
                          env=env).stdout)["slots"]
    if [s["event_id"] for s in edge]:
        problems.append(f"8-10 June (Berlin) shows {[s['event_id'] for s in edge]}")
    table = run("blocked", "--from", "2026-06-01", "--to", "2026-06-15", env=env).stdout
    expect_in(table, "2026-06-10 00:00 +0200  2026-06-13 00:00 +0200  all-day    Personal",
              "the blocked table, in the zone from the config")
    free = json.loads(run("free", "--from", "2026-06-02T15:00:00+02:00", "--to",
                          "2026-06-02T18:00:00+02:00", "--duration", "1h", "--step", "30m",
                          "--json", env=env).stdout)["free"]
    # The dentist is 15:30-16:30 local: 16:30-17:30 and 17:00-18:00 remain.
    if [(f["start"], f["end"]) for f in free] != [("2026-06-02T14:30:00Z", "2026-06-02T15:30:00Z"),
                                                   ("2026-06-02T15:00:00Z", "2026-06-02T16:00:00Z")]:
        problems.append(f"free slots: {free}")

    # Appointments: a bad entry is named, the good one before it is kept.
    bad = os.path.join(scratch, "bad.json")
    with open(bad, "w") as f:
        json.dump([{"id": "a-1", "start": "2026-06-03T08:00:00Z", "end": "2026-06-03T09:00:00Z",
                    "service": "Oil change"},
                   {"id": "a-2", "start": "2026-06-03T10:00:00Z"}], f)
    done = run("appointments", "upsert", bad, env=env, expect=2)
    expect_in(done.stderr, "entry 2 (a-2)", "a bad appointment entry")
    expect_in(done.stderr, "end", "the missing field")
    run("appointments", "upsert", os.path.join(scratch, "missing.json"), env=env, expect=2)
    run("appointments", "upsert", "-", env=env,
        stdin=json.dumps({"id": "a-3", "start": "2026-06-04T08:00:00Z",
                          "end": "2026-06-04T09:00:00Z", "client": "K. Nowak"}))
    listed = json.loads(run("appointments", "list", "--json", env=env).stdout)
    ids = sorted(a["id"] for a in listed["appointments"])
    if ids != ["a-1", "a-3"]:
        problems.append(f"appointments after the upserts: {ids}")
    run("appointments", "cancel", "a-1", env=env)
    run("appointments", "cancel", "no-such-appointment", env=env, expect=4)
    feed_text = run("feed", env=env).stdout
    expect_in(feed_text, "BEGIN:VCALENDAR", "feed")
    expect_in(feed_text, "UID:calsync-a-3", "the feed's stable UID")
    if "UID:calsync-a-1" in feed_text:
        problems.append("the cancelled appointment is still in the feed")
    # The feed names the garage's clients: a file written for it is the person's alone,
    # whatever the shell's umask (the program runs with umask 077).
    team = os.path.join(scratch, "team.ics")
    umask = os.umask(0)
    try:
        run("feed", "--output", team, env=env)
    finally:
        os.umask(umask)
    if mode(team) != 0o600:
        problems.append(f"feed --output under umask 000 made {oct(mode(team))}")

    status = json.loads(run("status", "--json", env=env).stdout)
    states = [(c["id"], c["state"], c["status"]["state"]) for c in status["connections"]]
    if states != [("personal", "active", "ok")]:
        problems.append(f"status --json: {states}")
    run("disconnect", "personal", env=env)
    after = json.loads(run("blocked", "--from", "2026-06-01", "--to", "2026-06-15", "--json",
                           env=env).stdout)["slots"]
    if after:
        problems.append(f"slots left after disconnecting: {after}")
    expect_in(run("status", env=env).stdout, "disconnected", "status after disconnect")
finally:
    server.terminate()
    server.wait()

shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
