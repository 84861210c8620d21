"""Crash safety of the sync service (issue 6, item 7): crash_driver is killed with SIGKILL
at random moments, again and again, while it books, imports and exports against a real
calendar service that another client changes between (and sometimes during) the runs.
(CalDAV: some edits by an app that drops calsync's X- property, issue 14 item 7; an
event is ours by its resource name and UID, as calsync derives them.) Then it is started
once more to finish cleanly, and the test checks:
  (a) no duplicate remote events: every appointment id is on the server at most once;
  (b) nothing lost: every booked appointment of the script is on the server with its
      latest content, no cancelled one is, and the store holds the script's appointments
      and an export map of confirmed records only, one per booked appointment, naming the
      event the server holds;
  (c) the blocked slots of the crashed-and-resumed store (as the finishing run held them,
      and as a service opened on the file rebuilds them) equal those of a clean sync into
      a fresh store, and are exactly the other client's events;
  (d) PRAGMA integrity_check is ok after every kill and at the end.

  crash_test.py --driver PATH --server SERVER_JSON --work DIR [--runs 50]
                [--steps-per-run 6] [--seed N] [--backend caldav|google|graph]
The seed (printed first; CALSYNC_CRASH_SEED also sets it) fixes the script, the remote
changes and the kill plan; replaying it hits the same plan (timings still vary).

Kills come in three kinds: after a random delay; a few milliseconds after the n-th
"phase import" or "phase export" line; and at a named pause point (CALSYNC_CRASH_PAUSE,
crash_point_store.hpp) where the driver stops dead: fetched / applied around storing a
change set, intent.<kind> (intent stored, before the PUT or DELETE) and written.<kind>
(after it, before the record is confirmed), for creates, updates and removals.
"""
import argparse
import collections
import datetime
import json
import os
import random
import select
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_backends import BACKENDS  # noqa: E402

# crash_point_store.hpp: around storing a change set, and each write of the export intent
# protocol after its intent is stored (before the request) and after the request (before
# the record is confirmed).
PAUSE_POINTS = ["fetched", "applied", "intent.create", "written.create", "intent.update",
                "written.update", "intent.remove", "written.remove"]


class DriverRun:
    """One driver process and the lines it printed so far."""

    def __init__(self, argv, env, stderr_path):
        self.stderr_path = stderr_path
        self.err = open(stderr_path, "a")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.err, env=env)
        self.lines = []
        self._buffer = b""
        self.phase = "start"
        self.pause = None

    def _take(self, data):
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            text = line.decode()
            self.lines.append(text)
            if text.startswith("phase "):
                self.phase = text[6:]
            elif text.startswith("pause "):
                self.pause = text[6:]

    def read_until(self, done, timeout):
        """Reads lines until done(line) is true for one of the new ones or `timeout`
        passes; True when it was."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return False
            data = os.read(fd, 65536)
            if not data:
                return False  # the driver exited
            start = len(self.lines)
            self._take(data)
            if any(done(line) for line in self.lines[start:]):
                return True

    def kill(self):
        self.proc.kill()  # SIGKILL, to this driver only
        self.proc.wait()
        self.read_until(lambda line: False, 0.05)  # what was already in the pipe
        self.err.close()

    def finish(self, timeout):
        """Waits for the driver to exit by itself; None when it did not in time (it is
        killed then)."""
        self.read_until(lambda line: False, timeout)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self.err.close()
        return self.proc.returncode

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()


def rfc3339(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def done_steps(db):
    """The script steps the driver has recorded as done (crash_driver.cpp, step file)."""
    try:
        with open(db + ".step") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


def integrity(db):
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def expected_summary(a):
    # render_export's rule (include/calsync/export_render.hpp): "<service> – <client>
    # (<vehicle>)".
    return f"{a['service']} \u2013 {a['client']} ({a['vehicle']})"


class RemoteClient:
    """Another client of the calendar: adds, moves and deletes its own events and edits,
    deletes and copies ours. Keeps the model of its own events the checks compare with."""

    def __init__(self, backend, rng, base, log_path):
        self.backend = backend
        self.log_path = log_path
        self.rng = rng
        self.base = base
        self.foreign = {}  # uid -> (start, end, weekly occurrences)
        self.counter = 0
        self.done = collections.Counter()

    def _did(self, what, detail):
        self.done[what] += 1
        with open(self.log_path, "a") as log:
            log.write(f"--- other client: {what} {detail}\n")

    def _put(self, uid, summary):
        """One of its own events, new or moved: mostly single, some weekly series, some
        beyond the sync window's end (365 days), where they must not block."""
        start = self.base + 900 * self.rng.randrange(30 * 96)
        if self.rng.random() < 0.1:
            start += 400 * 86400
        end = start + 900 * self.rng.randrange(1, 9)
        weekly = self.rng.choice([2, 3]) if self.rng.random() < 0.2 else 1
        self.backend.put_foreign(uid, start, end, summary, weekly)
        self.foreign[uid] = (start, end, weekly)
        if weekly > 1:
            self.done["foreign written as a series"] += 1
        if start > self.base + 365 * 86400:
            self.done["foreign written beyond the window"] += 1

    def blocked(self, window_end):
        """The slots its events must block: (uid, start, end), every occurrence."""
        out = []
        for uid, (start, end, weekly) in self.foreign.items():
            for k in range(weekly):
                if start + k * 7 * 86400 < window_end:
                    out.append((uid, start + k * 7 * 86400, end + k * 7 * 86400))
        return sorted(out)

    def act(self):
        choice = self.rng.random()
        events = None
        if choice < 0.35 or not self.foreign:
            uid = f"other-{self.counter}"
            self.counter += 1
            self._put(uid, f"Dentist {uid}")
            self._did("foreign added", uid)
            return
        if choice < 0.55:
            uid = self.rng.choice(sorted(self.foreign))
            self._put(uid, f"Dentist {uid} moved")
            self._did("foreign moved", uid)
            return
        if choice < 0.70:
            uid = self.rng.choice(sorted(self.foreign))
            events = {e["uid"]: e for e in self.backend.events()}
            if uid in events and self.backend.delete(events[uid]):
                del self.foreign[uid]
                self._did("foreign deleted", uid)
            return
        ours = sorted((e for e in self.backend.events() if e["marker"]), key=lambda e: e["id"])
        if not ours:
            return
        event = self.rng.choice(ours)
        if choice < 0.85:
            shift = 1800 * self.rng.randrange(-4, 5)
            # Half of the edits, where the service has X- properties to drop: by an app
            # that drops calsync's (issue 14, item 7).
            rewrite = getattr(self.backend, "rewrite_without_marker", None)
            if rewrite and choice < 0.775:
                if rewrite(event, "Edited in another app", shift):
                    self._did("ours rewritten without the X- property", event["id"])
            elif self.backend.edit(event, "Edited on a phone", shift):
                self._did("ours edited", event["id"])
        elif choice < 0.95:
            if self.backend.delete(event):
                self._did("ours deleted", event["id"])
        elif self.backend.copy(event):
            self._did("ours copied", event["id"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--driver", required=True)
    p.add_argument("--server", required=True, help="server.json of the fixture")
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--steps-per-run", type=int, default=6,
                   help="script steps each run gets to do, on average")
    p.add_argument("--seed", type=int,
                   default=int(os.environ.get("CALSYNC_CRASH_SEED", "0")) or None)
    p.add_argument("--backend", default="caldav", choices=sorted(BACKENDS))
    a = p.parse_args()
    seed = a.seed if a.seed else random.SystemRandom().randrange(1, 2**31)
    # The longest the script may get; each run is offered a few steps more than the
    # driver has done, and the script ends where the last run's offer ended (a script is
    # the same for any length up to where it ends: crash_script.hpp).
    steps = a.runs * a.steps_per_run
    print(f"crash test seed {seed} (replay: CALSYNC_CRASH_SEED={seed}), {a.runs} runs, "
          f"backend {a.backend}", flush=True)
    rng = random.Random(seed)
    started = time.monotonic()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    with open(a.server) as f:
        server = json.load(f)
    backend = BACKENDS[a.backend](server, f"crash-{seed}-{os.getpid()}")
    account_path = os.path.join(a.work, "account.json")
    with open(account_path, "w") as f:
        json.dump(backend.connection(), f)
    db = os.path.join(a.work, "crashed.db")
    run_log = os.path.join(a.work, "runs.log")  # every line each run printed
    # Appointments and the other client's events lie in the 30 days from tomorrow: inside
    # the sync window (1 day back, 365 ahead) whenever the test runs.
    base = (int(time.time()) // 3600 + 24) * 3600
    common = ["--seed", str(seed), "--base", str(base)]
    until = 0  # the furthest step any run was offered
    remote = RemoteClient(backend, rng, base, run_log)

    kills = collections.Counter()    # by phase the driver announced last
    pauses = collections.Counter()   # pause points hit
    kinds = collections.Counter()    # kill plans
    failures = []
    sync_lines = collections.Counter()
    sync_errors = collections.Counter()  # what the failed syncs said
    steps_seen = 0

    for run in range(a.runs):
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                remote.act()
        env = dict(os.environ)
        env.pop("CALSYNC_CRASH_PAUSE", None)
        plan = rng.choices(["timer", "phase", "pause"], weights=[30, 30, 40])[0]
        if plan == "pause":
            point = rng.choice(PAUSE_POINTS)
            env["CALSYNC_CRASH_PAUSE"] = f"{point}:{rng.randint(1, 2)}"
        during = rng.random() < 0.2  # the other client acts while the driver runs
        delay = rng.uniform(0.0, 0.6)
        phase_target = rng.choice(["import", "export"])
        phase_count = rng.randint(1, 3)
        jitter = rng.uniform(0.0, 0.03)

        # Each run may go a few steps further into the script, so each has bookings to
        # export (and the script is not used up by the first runs).
        offer = min(steps, done_steps(db) + rng.randint(1, 2 * a.steps_per_run - 1))
        until = max(until, offer)
        driver = DriverRun([a.driver, "run", "--db", db, "--connection", account_path,
                            "--steps", str(steps), "--until", str(offer)] + common,
                           env, os.path.join(a.work, "driver.err"))
        # Delays count from the driver's first line: starting a process on a loaded
        # machine takes a while, and a kill before it did anything tests nothing.
        driver.read_until(lambda line: True, 5.0)
        if during:
            driver.read_until(lambda _: "phase import" in driver.lines, 2.0)
            remote.act()
        if plan == "timer":
            driver.read_until(lambda _: False, delay)
        elif plan == "phase":
            wanted = "phase " + phase_target
            if driver.read_until(lambda _: driver.lines.count(wanted) >= phase_count, 5.0):
                time.sleep(jitter)
        elif driver.pause is None:
            driver.read_until(lambda _: driver.pause is not None, 2.0)
        if driver.proc.poll() is not None:
            driver.finish(1)
            sys.exit(f"run {run}: the driver exited by itself (status "
                     f"{driver.proc.returncode}); seed {seed}\n{driver.stderr()}")
        driver.kill()
        with open(run_log, "a") as log:
            log.write(f"--- run {run}: plan {plan}, "
                      f"CALSYNC_CRASH_PAUSE={env.get('CALSYNC_CRASH_PAUSE', '')}\n")
            log.write("\n".join(driver.lines) + "\n")
        kinds[plan] += 1
        kills[driver.phase] += 1
        if driver.pause:
            pauses[driver.pause] += 1
        for line in driver.lines:
            if line.startswith("synced "):
                outcome = line.split()[1].rstrip(":")
                sync_lines[outcome] += 1
                if outcome != "ok":
                    sync_errors[line.split(": ", 1)[-1][:160]] += 1
            if line.startswith("step "):
                steps_seen = max(steps_seen, int(line.split()[1]))
        if os.path.exists(db):
            check = integrity(db)
            if check != "ok":
                failures.append(f"run {run}: integrity_check says {check}")
        if (run + 1) % 50 == 0 and run + 1 < a.runs:
            print(f"  {run + 1} runs, step {steps_seen}, "
                  f"{time.monotonic() - started:.0f} s", flush=True)

    # Between the last kill and the finish, the other client acts once more.
    remote.act()
    # The script ends where the last offer ended.
    common += ["--steps", str(until)]
    final = DriverRun([a.driver, "run", "--db", db, "--connection", account_path, "--finish"]
                      + common, {k: v for k, v in os.environ.items() if k != "CALSYNC_CRASH_PAUSE"},
                      os.path.join(a.work, "finish.err"))
    status = final.finish(300)
    with open(run_log, "a") as log:
        log.write("--- the finishing run\n" + "\n".join(final.lines) + "\n")
    if status != 0:
        sys.exit(f"the finishing run failed (status {status}); seed {seed}\n{final.stderr()}")
    finish_syncs = sum(1 for line in final.lines if line.startswith("synced "))
    live_slots = json.loads(
        next(line[6:] for line in final.lines if line.startswith("slots ")))["slots"]

    script = json.loads(subprocess.run([a.driver, "script"] + common, check=True,
                                       capture_output=True, text=True).stdout)
    report = json.loads(subprocess.run(
        [a.driver, "report", "--db", db, "--connection", account_path],
        check=True, capture_output=True, text=True).stdout)
    clean_db = os.path.join(a.work, "clean.db")
    clean_slots = json.loads(subprocess.run(
        [a.driver, "clean", "--db", clean_db, "--connection", account_path],
        check=True, capture_output=True, text=True).stdout)["slots"]
    events = backend.events()

    # (a) no duplicates
    by_marker = collections.defaultdict(list)
    for e in events:
        if e["marker"]:
            by_marker[e["marker"]].append(e)
    for marker, copies in sorted(by_marker.items()):
        if len(copies) > 1:
            failures.append(f"(a) appointment {marker} is on the server {len(copies)} times: "
                            + ", ".join(c["id"] for c in copies))
    # (b) nothing lost, nothing left over, latest content
    wanted = {x["id"]: x for x in script}
    for marker in sorted(set(by_marker) - set(wanted)):
        failures.append(f"(b) the server holds an event for {marker}, not in the script")
    exports = {r["appointment"]: r for r in report["exports"]}
    for appointment_id, x in sorted(wanted.items()):
        there = by_marker.get(appointment_id, [])
        if x["status"] == "cancelled":
            if there:
                failures.append(f"(b) cancelled {appointment_id} is still on the server")
            if appointment_id in exports:
                failures.append(f"(b) cancelled {appointment_id} still has an export record")
            continue
        if not there:
            failures.append(f"(b) booked {appointment_id} is not on the server")
            continue
        e = there[0]
        got = (e["start"], e["end"], e["summary"], e["status"])
        want = (x["start"], x["end"], expected_summary(x), "CONFIRMED")
        if got != want:
            failures.append(f"(b) {appointment_id} on the server is {got}, expected {want}")
        record = exports.get(appointment_id)
        if record is None:
            failures.append(f"(b) booked {appointment_id} has no export record")
        elif record["intent"] != "none" or record["remote_id"] != e["id"]:
            failures.append(f"(b) {appointment_id}'s export record is {record}, "
                            f"the server's event {e['id']}")
    stored = {x["id"]: x for x in report["appointments"]}
    if stored != wanted:
        failures.append("(b) the store's appointments differ from the script's: "
                        + ", ".join(sorted(k for k in set(stored) | set(wanted)
                                           if stored.get(k) != wanted.get(k))))
    # (c) blocked slots
    def key(slots):
        return sorted(json.dumps(s, sort_keys=True) for s in slots)
    if key(live_slots) != key(clean_slots):
        failures.append(f"(c) the finishing run holds {len(live_slots)} slots, a clean sync "
                        f"{len(clean_slots)}: {sorted(set(key(live_slots)) ^ set(key(clean_slots)))}")
    rebuilt_slots = report["slots"]["slots"]
    if key(rebuilt_slots) != key(clean_slots):
        failures.append(f"(c) the store rebuilds {len(rebuilt_slots)} slots, a clean sync "
                        f"{len(clean_slots)}")
    by_uid = {e["uid"]: e for e in events if not e["marker"]}
    if set(by_uid) != set(remote.foreign):
        failures.append("(c) the other client's events on the server are not what it wrote")
    # The sync window ends 365 days after today (UTC days; sync.hpp SyncSettings).
    window_end = (int(time.time()) // 86400 + 365) * 86400
    def slot_id(uid, start):
        # The event a slot names: the event's id, or its occurrence's where the service
        # gives each occurrence an id of its own (crash_backends.py, instance_ids).
        if uid not in by_uid:
            return uid
        return by_uid[uid].get("instance_ids", {}).get(start, by_uid[uid]["id"])
    expected_slots = sorted((slot_id(uid, start), start, end)
                            for uid, start, end in remote.blocked(window_end))
    got_slots = sorted((s["event_id"], rfc3339(s["start"]), rfc3339(s["end"]))
                       for s in clean_slots)
    if got_slots != expected_slots:
        failures.append(f"(c) the slots are {got_slots}, the other client's events "
                        f"{expected_slots}")
    # (d) the file
    check = integrity(db)
    if check != "ok":
        failures.append(f"(d) integrity_check at the end says {check}")

    booked = sum(1 for x in script if x["status"] == "booked")
    print(f"runs {a.runs}, kill plans {dict(kinds)}")
    print(f"kills by phase {dict(sorted(kills.items()))}")
    print(f"pause points hit {dict(sorted(pauses.items()))}")
    print(f"script steps reached before the finish {steps_seen} of {until}; syncs by "
          f"outcome during the runs {dict(sync_lines)}; the finish took {finish_syncs} syncs")
    for message, count in sync_errors.most_common(5):
        print(f"  {count} x sync error: {message}")
    print(f"other client: {dict(sorted(remote.done.items()))}")
    print(f"end state: {booked} booked and {len(script) - booked} cancelled appointments, "
          f"{len(events)} events on the server, {len(clean_slots)} blocked slots; "
          f"{time.monotonic() - started:.1f} s")
    if failures:
        print(f"FAILED (seed {seed}); what each run printed and what the other client "
              f"did: {run_log}")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
