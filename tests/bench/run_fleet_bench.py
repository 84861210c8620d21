"""The fleet benchmark (issue 16, item 7): N businesses with 1-3 connections each against
the Google fake, the Graph fake and ICS feeds on 127.0.0.1, synced by W worker processes on
one private PostgreSQL. A driver, not a timed test: it prints a table.

  run_fleet_bench.py --fleet-bench BUILD/tests/bench/fleet_bench [--businesses N]
                     [--workers 1,2,4] [--polls 1,2,4] [--threads 4] [--events 10]
                     [--appointments 2] [--kill-after-exports K] [--lease 60]
                     [--skip-ceiling] [--seeders 2] [--seed 1] [--check]

What it does:
  1. starts PostgreSQL (tests/store/pg_server.sh), google_fake.py, graph_fake.py and
     fault_server.py (the feeds) on 127.0.0.1;
  2. makes each business's accounts in the fakes: a Google account and a Microsoft user
     of its own (one request each: /_control/account), each with one calendar of EVENTS
     events, and a feed file per ICS connection; and seeds every connection through
     calsync (fleet_bench seed: SyncService on the business's view of the fleet). Each
     business has APPOINTMENTS bookings exported to its Google or Outlook calendar
     (selected with direction both);
  3. runs due periods: every connection due at T (fleet_bench due), then W worker
     processes (fleet_bench work) until nothing is due. The first period is the first
     sync of every connection and the exports (with the most workers), without a kill.
     With --kill-after-exports K, a kill period follows: every business that exports
     gets one new booking (fleet_bench book), every connection is due, worker 0
     SIGKILLs itself when its K-th export has landed remotely and before its sync
     recorded it, the other workers go on, and once the killed worker's leases (--lease
     seconds) have lapsed a restarted worker finishes what they held. Then one period
     per W of --polls with nothing changed, the steady state of a polling schedule;
  4. after each period but the kill's, replays the requests the fakes logged in it with
     a raw client (threads in processes, keep-alive, no calsync): reads with each
     account's own token; event inserts into a scratch calendar of the raw process's own
     scratch account (the client-chosen id or transactionId made unique); token
     refreshes with the scratch account's refresh token: the fakes' ceiling for the same
     server work (--skip-ceiling: not measured);
  5. counts from the fakes' logs the syncs each connection had in each period (requests
     that start a read: no page token), which must be exactly one (a connection the
     killed worker had claimed may be read again by the worker that took it over), and
     from the fakes' state that every appointment exists exactly once in its calendar
     (none lost, none twice, none elsewhere); and checks in the store that every
     connection's lease of the period was finished.
--check (the CI smoke) exits 1 unless all of that held in every period, no worker
reported a failure, and the worker to kill was killed.
"""
import argparse
import collections
import concurrent.futures
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FAKES = os.path.join(ROOT, "tests", "fakes")
PG_SERVER = os.path.join(ROOT, "tests", "store", "pg_server.sh")
PYTHON = "/usr/bin/python3"
GOOGLE_SCOPES = ("https://www.googleapis.com/auth/calendar.calendarlist.readonly "
                 "https://www.googleapis.com/auth/calendar.events")
GRAPH_SCOPE = "Calendars.ReadWrite offline_access"
GOOGLE_CLIENT = ("test-client.apps.googleusercontent.com", "test-client-secret")
KINDS = ("google", "microsoft", "ics_feed")


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def request(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


class Fake:
    """A fake started as a child; its port is its first line."""

    def __init__(self, script, log_dir, name):
        self.log = open(os.path.join(log_dir, name + ".log"), "w")
        wrapper = os.environ.get("FLEET_FAKE_WRAPPER")
        self.proc = subprocess.Popen([PYTHON] + ([wrapper] if wrapper else []) + [script],
                                     stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        self.root = "http://127.0.0.1:%d" % int(self.proc.stdout.readline())

    def control(self, path, body=None):
        return request("POST" if body is not None else "GET", self.root + "/_control/" + path,
                       body)

    def cpu_seconds(self):
        """Its CPU time so far (user + system, /proc/PID/stat)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self):
        """Its resident set now (VmRSS), for planning a larger fleet."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return kib / 1024.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


class Postgres:
    def __init__(self, work):
        self.state = os.path.join(work, "pg.state")
        subprocess.run(["sh", PG_SERVER, "start", self.state], check=True)
        with open(self.state) as f:
            self.dir, self.port = f.read().split()
        self.url = f"postgresql://calsync@/postgres?host={self.dir}&port={self.port}"
        self.psql = shutil.which("psql") or "psql"

    def size_bytes(self):
        out = subprocess.run([self.psql, "-At", "-h", self.dir, "-p", self.port, "-U", "calsync",
                              "-d", "postgres", "-c",
                              "SELECT pg_database_size(current_database())"],
                             check=True, capture_output=True, text=True).stdout
        return int(out.strip())

    def largest_tables(self, n=6):
        """The n relations taking most room, indexes and TOAST included: "name MiB" each."""
        out = subprocess.run([self.psql, "-At", "-F", " ", "-h", self.dir, "-p", self.port,
                              "-U", "calsync", "-d", "postgres", "-c",
                              "SELECT relname, round(pg_total_relation_size(oid) / 1048576.0, 1) "
                              "FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                              "'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC "
                              "LIMIT %d" % n],
                             check=True, capture_output=True, text=True).stdout
        return ", ".join(line.strip() for line in out.splitlines())

    def updates(self):
        """Per table that was updated: "name HOT/all" (pg_stat_user_tables). An update that
        is not HOT writes a new entry in each of the table's indexes."""
        out = self.query("SELECT relname || ' ' || n_tup_hot_upd || '/' || n_tup_upd FROM "
                         "pg_stat_user_tables WHERE n_tup_upd > 0 ORDER BY n_tup_upd DESC")
        return ", ".join(" ".join(pair) for pair in zip(out[::2], out[1::2]))

    def cpu_seconds(self):
        """The server's CPU time so far: the postmaster, its processes now, and those it
        reaped (a backend that exited counts in its parent's cutime and cstime). Sampled
        again when the postmaster reaped a process while its children were read (that
        process's time would be in neither), or a child is an unreaped zombie (its time is
        shown nowhere)."""
        def times(pid):
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # state, ppid, utime..cstime
            return fields[0], int(fields[1]), [int(x) for x in fields[11:15]]
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        for _ in range(100):
            own = times(postmaster)[2]
            ticks = sum(own)
            unreaped = False
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    state, ppid, t = times(int(entry))
                except (OSError, IndexError, ValueError):
                    continue  # gone meanwhile
                if ppid == postmaster:
                    ticks += sum(t)
                    unreaped = unreaped or state == "Z"
            if not unreaped and times(postmaster)[2][2:] == own[2:]:
                break
            time.sleep(0.01)
        return ticks / os.sysconf("SC_CLK_TCK")

    def query(self, sql):
        return subprocess.run([self.psql, "-At", "-F", " ", "-h", self.dir, "-p", self.port,
                               "-U", "calsync", "-d", "postgres", "-c", sql],
                              check=True, capture_output=True, text=True).stdout.split()

    def stop(self):
        subprocess.run(["sh", PG_SERVER, "stop", self.state], check=False)


def build_plan(args, google, graph, feeds, work):
    """Every connection of every business, its account and calendar made in its service."""
    rng = random.Random(args.seed)
    # The plan's tokens serve the raw client too: they must last the run.
    graph.control("config", {"access_lifetime": 6 * 3600})
    start = int(time.time()) // 3600 * 3600 + 86400
    plan = []
    feed_files = {}
    for b in range(args.businesses):
        business = "garage-%05d" % b
        # One Google account and one Microsoft user per business, as each garage consents
        # with its own; distinct kinds, so each connection is of its own account.
        kinds = rng.sample(KINDS, rng.randint(1, 3))
        if args.appointments and "google" not in kinds and "microsoft" not in kinds:
            kinds.append(rng.choice(("google", "microsoft")))  # somewhere to export to
        exports_to = next((k for k in kinds if k != "ics_feed"), None)
        account = business + "@garage.example"
        appointments = []
        for i in range(args.appointments):
            t = start + 3600 * rng.randint(0, 24 * 60)
            appointments.append({"id": "%s-a%d" % (business, i), "start": t, "end": t + 3600})
        for k, kind in enumerate(kinds):
            cid = "%s-c%d" % (business, k)
            times = [(start + 3600 * rng.randint(0, 24 * 60), 3600) for _ in range(args.events)]
            line = {"business": business, "kind": kind, "id": cid}
            if kind != "ics_feed":
                line["account"] = account
            if kind == "google":
                calendar = cid + "@group.calendar.google.com"
                events = [{"id": "e%d%s" % (i, cid.replace("-", "")), "summary": "busy %d" % i,
                           "status": "confirmed", "start": {"dateTime": rfc3339(t)},
                           "end": {"dateTime": rfc3339(t + d)}}
                          for i, (t, d) in enumerate(times)]
                granted = google.control("account", {
                    "account": account, "client_id": "test-client.apps.googleusercontent.com",
                    "scope": GOOGLE_SCOPES, "expires_in": 6 * 3600,
                    "calendars": [{"id": calendar, "summary": cid, "primary": True,
                                   "accessRole": "owner", "timeZone": "UTC",
                                   "events": events}]})
                line["calendar"] = calendar
                line["tokens"] = {"version": 1, "access_token": granted["access_token"],
                                  "refresh_token": granted["refresh_token"],
                                  "scope": GOOGLE_SCOPES,
                                  "expires_at": rfc3339(time.time() + 6 * 3600)}
            elif kind == "microsoft":
                events = [{"subject": "busy %d" % i, "start": rfc3339(t), "end": rfc3339(t + d)}
                          for i, (t, d) in enumerate(times)]
                granted = graph.control("account", {"user": account, "scope": GRAPH_SCOPE,
                                                    "calendars": [{"name": cid,
                                                                   "events": events}]})
                line["calendar"] = granted["calendars"][0]
                line["tokens"] = {"version": 1, "access_token": granted["access_token"],
                                  "refresh_token": granted["refresh_token"],
                                  "scope": granted["scope"],
                                  "expires_at": rfc3339(time.time() + granted["expires_in"])}
            else:
                path = os.path.join(work, "feeds", cid + ".ics")
                with open(path, "w", newline="") as f:
                    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync fleet "
                            "bench//EN\r\n")
                    for i, (t, d) in enumerate(times):
                        f.write("BEGIN:VEVENT\r\nUID:%s-%d@bench\r\nDTSTAMP:20260101T000000Z"
                                "\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:busy\r\nEND:VEVENT\r\n"
                                % (cid, i, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)),
                                   time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t + d))))
                    f.write("END:VCALENDAR\r\n")
                line["settings"] = {"url": feeds + "/feed?file=" + path}
                feed_files[cid] = path
            if kind == exports_to and appointments:
                line["direction"] = "both"
                line["appointments"] = appointments
            plan.append(line)
    return plan, feed_files


class Logs:
    """What the fakes logged so far, to take the difference of a period."""

    def __init__(self, google, graph, feeds):
        self.google, self.graph, self.feeds = google, graph, feeds

    def snapshot(self):
        g = request("GET", self.google.root + "/_control/stats")
        m = request("GET", self.graph.root + "/_control/stats?since=%d" % 2**62)
        f = request("GET", self.feeds + "/counters")
        return (g["api_requests"], m["requests"], f, g["token_requests"],
                len(m["token_forms"]))

    def since(self, snap):
        """The period's Google requests, Graph (request, user, body) triples, feed reads
        per file, and token refreshes (Google: how many; Graph: each one's client id)."""
        g = request("GET", self.google.root + "/_control/requests?since=%d" % snap[0])
        google_stats = request("GET", self.google.root + "/_control/stats")
        stats = request("GET", self.graph.root + "/_control/stats?since=%d" % snap[1])
        m = list(zip(stats["log"], stats["log_users"], stats["log_bodies"]))
        f = request("GET", self.feeds + "/counters")
        feeds = {k[5:]: v - snap[2].get(k, 0) for k, v in f.items() if k.startswith("feed /")}
        refreshes = {"google": google_stats["token_requests"] - snap[3],
                     "graph": [t["client_id"] for t in stats["token_forms"][snap[4]:]
                               if t["grant_type"] == "refresh_token"]}
        return g, m, {k: v for k, v in feeds.items() if v}, refreshes


def connection_of_account(plan):
    """(kind, account) -> the connection of that account (each has one)."""
    return {(line["kind"], line["account"]): line["id"] for line in plan if "account" in line}


def syncs_per_connection(plan, feed_files, google_log, graph_log, feed_counts):
    """Reads started per connection in a period, and the API requests it made (every
    request of its account's tokens: `graph_log` holds (request, user, body) triples)."""
    started = collections.Counter()
    requests = collections.Counter()
    by_account = connection_of_account(plan)
    for r in google_log:
        cid = by_account.get(("google", r["account"]))
        if cid is None:
            continue
        requests[cid] += 1
        if r["route"] == "events.list" and "pageToken" not in r["query"]:
            started[cid] += 1
    for entry, user, _ in graph_log:
        method, target = entry.split(" ", 1)
        path, _, query = target.partition("?")
        cid = by_account.get(("microsoft", user))
        if cid is None:
            continue
        requests[cid] += 1
        # A read: a calendar view (exports are POSTs to the calendar's events).
        if method == "GET" and "/calendarView" in path and "skiptoken" not in query:
            started[cid] += 1
    by_file = {path: cid for cid, path in feed_files.items()}
    for path, n in feed_counts.items():
        cid = by_file.get(path)
        if cid is not None:
            requests[cid] += n
            started[cid] += n
    return started, requests


SCRATCH = "raw-scratch-"  # accounts, users and calendars of the raw client's writes


def replay_chunk(work):
    """One raw client process: keep-alive connections per thread, the period's requests.
    A write goes to the process's scratch account (`scratch`): an insert into its scratch
    calendar with the client-chosen id (Google) or transactionId (Graph) made unique, a
    token refresh with its scratch refresh token (Graph rotates them: each thread redeems
    a chain of its own)."""
    jobs, threads, scratch = work
    def run(index):
        part = jobs[index::threads]
        conns = {}
        graph_refresh = scratch["graph_refresh"][index]
        for n, (method, host, port, target, headers, body, kind) in enumerate(part):
            headers = dict(headers)
            if kind == "google_insert":
                body = dict(json.loads(body), id="%sv%dv%d" % (json.loads(body)["id"], index, n))
                target = "/calendar/v3/calendars/%s/events%s" % (
                    urllib.parse.quote(scratch["google_calendar"]), target)
                headers["Authorization"] = "Bearer " + scratch["google_token"]
                body = json.dumps(body)
            elif kind == "graph_insert":
                body = dict(json.loads(body), transactionId="%s%d-%d-%d" % (
                    SCRATCH, scratch["serial"], index, n))
                target = "/v1.0/me/calendars/%s/events%s" % (scratch["graph_calendar"], target)
                headers["Authorization"] = "Bearer " + scratch["graph_token"]
                body = json.dumps(body)
            elif kind == "google_refresh":
                body = urllib.parse.urlencode({
                    "grant_type": "refresh_token", "refresh_token": scratch["google_refresh"],
                    "client_id": GOOGLE_CLIENT[0], "client_secret": GOOGLE_CLIENT[1]})
            elif kind == "graph_refresh":
                body = urllib.parse.urlencode({"grant_type": "refresh_token",
                                               "refresh_token": graph_refresh,
                                               "client_id": body, "scope": GRAPH_SCOPE})
            c = conns.get((host, port))
            if c is None:
                c = conns[(host, port)] = http.client.HTTPConnection(host, port, timeout=60)
            c.request(method, target, body=body.encode() if body is not None else None,
                      headers=headers)
            resp = c.getresponse()
            answer = resp.read()
            if resp.status >= 400:
                raise RuntimeError("raw %s %s: HTTP %d" % (method, target, resp.status))
            if kind == "graph_refresh":
                graph_refresh = json.loads(answer)["refresh_token"]
        return len(part)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(run, range(threads)))


def make_scratch(google, graph, serial, threads):
    """A scratch Google account with an empty calendar and a scratch Microsoft user with
    one, for one raw process's writes; their tokens."""
    account = "%s%d@bench.example" % (SCRATCH, serial)
    calendar = "%s%d@group.calendar.google.com" % (SCRATCH, serial)
    g = google.control("account", {"account": account, "client_id": GOOGLE_CLIENT[0],
                                   "scope": GOOGLE_SCOPES, "expires_in": 6 * 3600,
                                   "calendars": [{"id": calendar, "primary": True,
                                                  "accessRole": "owner", "timeZone": "UTC"}]})
    m = graph.control("account", {"user": account, "scope": GRAPH_SCOPE,
                                  "calendars": [{"name": SCRATCH + "calendar"}]})
    refresh = [m["refresh_token"]] + [graph.control("grant", {"user": account,
                                                             "scope": GRAPH_SCOPE})["refresh_token"]
                                      for _ in range(threads - 1)]
    return {"serial": serial, "google_calendar": calendar, "google_token": g["access_token"],
            "google_refresh": g["refresh_token"], "graph_calendar": m["calendars"][0],
            "graph_token": m["access_token"], "graph_refresh": refresh}


def replay_jobs(plan, google, graph, feeds, period_log, conditional):
    """The period's requests as the raw client makes them: (method, host, port, target,
    headers, body, kind) each, and how many it leaves out (writes other than inserts)."""
    google_log, graph_log, feed_counts, refreshes = period_log
    token_of = {(line["kind"], line["account"]): line["tokens"]["access_token"]
                for line in plan if "account" in line}
    g = urllib.parse.urlsplit(google.root)
    m = urllib.parse.urlsplit(graph.root)
    f = urllib.parse.urlsplit(feeds)
    jobs = []
    left_out = collections.Counter()
    for r in google_log:
        token = token_of.get(("google", r["account"]))
        if not token:
            continue
        query = "?" + urllib.parse.urlencode(r["query"], doseq=True) if r["query"] else ""
        if r["method"] == "GET":
            jobs.append(("GET", g.hostname, g.port, r["path"] + query,
                         {"Authorization": "Bearer " + token}, None, None))
        elif r["route"] == "events.insert":
            jobs.append(("POST", g.hostname, g.port, query,
                         {"Content-Type": "application/json"}, json.dumps(r["body"]),
                         "google_insert"))
        else:
            left_out["Google " + str(r["route"])] += 1
    for entry, user, body in graph_log:
        method, target = entry.split(" ", 1)
        token = token_of.get(("microsoft", user))
        if not token:
            continue
        path, _, query = target.partition("?")
        if method == "GET":
            jobs.append(("GET", m.hostname, m.port, target,
                         {"Authorization": "Bearer " + token}, None, None))
        elif method == "POST" and path.startswith("/v1.0/me/calendars/") and \
                path.endswith("/events"):
            jobs.append(("POST", m.hostname, m.port, "?" + query if query else "",
                         {"Content-Type": "application/json"}, body, "graph_insert"))
        else:
            left_out["Graph %s %s" % (method, path.rsplit("/", 1)[-1])] += 1
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for _ in range(refreshes["google"]):
        jobs.append(("POST", g.hostname, g.port, "/token", form, None, "google_refresh"))
    for client_id in refreshes["graph"]:
        jobs.append(("POST", m.hostname, m.port, "/common/oauth2/v2.0/token", form, client_id,
                     "graph_refresh"))
    for path, n in feed_counts.items():
        with open(path, "rb") as fh:
            etag = '"' + hashlib.sha1(fh.read()).hexdigest() + '"'
        for _ in range(n):
            # As calsync asks: unconditional the first time, then with the ETag it kept.
            headers = {"If-None-Match": etag} if conditional else {}
            jobs.append(("GET", f.hostname, f.port, "/feed?file=" + urllib.parse.quote(path),
                         headers, None, None))
    return jobs, left_out


SCRATCH_SERIAL = [0]


def raw_ceiling(plan, google, graph, feeds, period_log, processes, threads, conditional):
    """Wall seconds of the period's requests issued by a raw client: as many processes and
    threads as the workers had; a read with the access token of the calendar's account (the
    plan's, issued for the run's length), a write to the process's scratch account."""
    jobs, left_out = replay_jobs(plan, google, graph, feeds, period_log, conditional)
    scratch = []
    for _ in range(processes):
        SCRATCH_SERIAL[0] += 1
        scratch.append(make_scratch(google, graph, SCRATCH_SERIAL[0], threads))
    random.Random(7).shuffle(jobs)
    began = time.monotonic()
    with multiprocessing.Pool(processes) as pool:
        done = sum(pool.map(replay_chunk, [(jobs[i::processes], threads, scratch[i])
                                           for i in range(processes)]))
    return time.monotonic() - began, done, left_out


class Period:
    """What the workers of one due period did."""

    def __init__(self, due):
        self.due = due
        self.records = []        # finished leases: connection, due_ms, done_ms, outcome
        self.wall = 0.0          # from the due second to the last finished lease
        self.rss = []            # peak RSS of each worker process, MiB (its own VmHWM)
        self.cpu = 0.0           # CPU seconds of every worker process
        self.pg_cpu = 0.0        # PostgreSQL's CPU seconds from the marking's end on
        self.killed = None       # the claims of the worker killed (a set), None if none
        self.restarted = False   # a worker was started once the killed one's leases lapsed
        self.phases = {}         # seconds the driver spent in each phase of the period


def start_worker(args, pg, env_args, work, name, extra=()):
    out = os.path.join(work, name + ".jsonl")
    return out, subprocess.Popen(
        [args.fleet_bench, "work", "--store", pg.url, "--out", out, "--owner", name,
         "--threads", str(args.threads), "--drain", str(args.drain), "--lease", str(args.lease)]
        + list(extra) + env_args)


def wait_workers(procs, period):
    """Waits for every worker; the exit codes."""
    codes = []
    for _, p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        codes.append(p.returncode)
        # Not usage.ru_maxrss: Linux carries the driver's own peak over fork and exec into
        # the child's.
        period.cpu += usage.ru_utime + usage.ru_stime
    return codes


def read_lines(out):
    with open(out) as f:
        return [json.loads(line) for line in f if line.endswith("}\n")]


def run_period(args, pg, workers, env_args, work, label, kill_after=0):
    # Due at the next whole second (the queue keeps seconds); the workers start then, so
    # due-to-synced includes starting a worker process.
    marking = time.time()
    due = int(time.time()) + 1
    subprocess.run([args.fleet_bench, "due", "--store", pg.url, "--plan",
                    os.path.join(work, "plan.jsonl"), "--at", str(due)], check=True)
    marked = time.time()
    # The marking is this driver's work (a real fleet's queue moves its due times as each
    # sync ends): PostgreSQL's CPU is counted from here.
    pg_from = pg.cpu_seconds()
    time.sleep(max(0.0, due - time.time()))
    period = Period(due)
    period.phases["mark due"] = marked - marking
    procs = [start_worker(args, pg, env_args, work, "%s-w%d" % (label, w),
                          ["--kill-after-exports", str(kill_after)] if kill_after and w == 0
                          else [])
             for w in range(workers)]
    codes = wait_workers(procs, period)
    period.phases["workers"] = time.time() - due
    if kill_after:
        if codes[0] != -signal.SIGKILL:
            raise RuntimeError("the worker to kill exited with %d: fewer than %d exports of "
                               "its own?" % (codes[0], kill_after))
        period.killed = {r["claimed"] for r in read_lines(procs[0][0]) if "claimed" in r}
        codes = codes[1:]
    if any(codes):
        raise RuntimeError("a worker exited with %s" % codes)
    if kill_after:
        # What the killed worker held is claimable once its leases lapse: a worker
        # started then (the others may have finished before) takes it over.
        held = pg.query("SELECT count(*), coalesce(max(lease_until), 0) FROM work_queue "
                        "WHERE lease_owner IS NOT NULL")
        if int(held[0]):
            time.sleep(max(0.0, int(held[1]) + 1 - time.time()))
            restart = [start_worker(args, pg, env_args, work, label + "-restart")]
            if any(wait_workers(restart, period)):
                raise RuntimeError("the restarted worker failed")
            procs += restart
            period.restarted = True
            period.phases["lapse + restart"] = time.time() - due - period.phases["workers"]
    period.pg_cpu = pg.cpu_seconds() - pg_from
    for out, _ in procs:
        lines = read_lines(out)
        period.records += [r for r in lines if "connection" in r]
        period.rss.append(max((r["peak_rss_kib"] for r in lines if "peak_rss_kib" in r),
                              default=0) / 1024.0)
    done = [r["done_ms"] for r in period.records]
    period.wall = max(done) / 1000.0 - due if done else 0.0
    return period


def book_one_more(args, pg, plan, work, env_args):
    """A new booking for every business that exports, in its export connection's plan line
    and in the store (fleet_bench book): the kill period's exports. How many."""
    rng = random.Random(args.seed + 1)
    start = int(time.time()) // 3600 * 3600 + 86400
    path = os.path.join(work, "plan-kill.jsonl")
    booked = 0
    with open(path, "w") as f:
        for line in plan:
            if not line.get("appointments"):
                continue
            t = start + 3600 * rng.randint(0, 24 * 60)
            new = {"id": "%s-k%d" % (line["business"], len(line["appointments"])),
                   "start": t, "end": t + 3600}
            line["appointments"].append(new)
            f.write(json.dumps(dict(line, appointments=[new])) + "\n")
            booked += 1
    subprocess.run([args.fleet_bench, "book", "--store", pg.url, "--plan", path] + env_args,
                   check=True, stdout=subprocess.DEVNULL)
    return booked


def count_exports(plan, google_events, graph_events):
    """From the fakes' state (the events made through their APIs): how many appointments
    exist exactly once in the calendar they were exported to, how many are missing, how
    many exist more than once, and how many exported events belong to no appointment of
    that calendar."""
    expected = {(a["id"], line["calendar"]) for line in plan
                for a in line.get("appointments", [])}
    found = collections.Counter()
    for e in google_events:
        if e["calendar"].startswith(SCRATCH):
            continue  # the raw client's replayed writes
        if e.get("status") != "cancelled":
            marker = e.get("extendedProperties", {}).get("private", {}).get(
                "calsyncAppointmentId")
            found[(marker, e["calendar"])] += 1
    for e in graph_events:
        if e.get("user", "").startswith(SCRATCH):
            continue
        marker = next((p["value"] for p in e.get("singleValueExtendedProperties", [])
                       if p["id"].lower().endswith(" name calsyncappointmentid")), None)
        found[(marker, e["calendar"])] += 1
    once = sum(1 for k in expected if found[k] == 1)
    lost = sum(1 for k in expected if found[k] == 0)
    twice = sum(1 for k in expected if found[k] > 1)
    stray = sum(n for k, n in found.items() if k not in expected)
    return once, lost, twice, stray


def exported_events(google, graph):
    return (request("GET", google.root + "/_control/events?api=true"),
            request("GET", graph.root + "/_control/events?user=*&api=true"))


def read_counts(plan, started, killed):
    """Connections read 0, 1 and more times in a period, and how many of those read more
    than once the killed worker had not claimed (a connection it held is read again by the
    worker that took it over)."""
    counts = {line["id"]: started.get(line["id"], 0) for line in plan}
    more = {c for c, n in counts.items() if n > 1}
    return (sum(1 for n in counts.values() if n == 0), sum(1 for n in counts.values() if n == 1),
            len(more), len(more - (killed or set())))


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fleet-bench", required=True)
    p.add_argument("--businesses", type=int, default=300)
    p.add_argument("--workers", default="1,2,4",
                   help="worker processes of the first period: the largest of these")
    p.add_argument("--polls", default=None,
                   help="worker processes of each polling period (default: --workers; "
                        "\"\" for none)")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--events", type=int, default=10)
    p.add_argument("--appointments", type=int, default=2,
                   help="bookings per business, exported to its Google or Outlook calendar")
    p.add_argument("--kill-after-exports", type=int, default=0, metavar="K",
                   help="in the first period worker 0 SIGKILLs itself once its K-th export "
                        "landed (0: no kill)")
    p.add_argument("--lease", type=int, default=60, help="seconds a claim lasts unrenewed")
    p.add_argument("--drain", type=int, default=90,
                   help="a worker stops when nothing is due within this many seconds")
    p.add_argument("--skip-ceiling", action="store_true",
                   help="no raw replay of the fakes' ceiling")
    p.add_argument("--seeders", type=int, default=2, help="seeding processes")
    p.add_argument("--google-quota", type=int, default=10_000_000, metavar="PER_MINUTE",
                   help="the workers' shared Google quota (requests_per_minute): the fake has "
                        "none, so by default it is the highest calsync takes; 10000 is "
                        "Google's default per project")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    polls = workers if args.polls is None else [int(w) for w in args.polls.split(",") if w]
    work = tempfile.mkdtemp(prefix="calsync-fleet-")
    os.makedirs(os.path.join(work, "feeds"))
    stopped = []
    ok = True
    try:
        pg = Postgres(work)
        stopped.append(pg)
        google = Fake(os.path.join(FAKES, "google", "google_fake.py"), work, "google")
        stopped.append(google)
        graph = Fake(os.path.join(FAKES, "graph", "graph_fake.py"), work, "graph")
        stopped.append(graph)
        feed_server = Fake(os.path.join(FAKES, "fault_server.py"), work, "feeds")
        stopped.append(feed_server)
        feeds = feed_server.root
        t0 = time.time()
        plan, feed_files = build_plan(args, google, graph, feeds, work)
        with open(os.path.join(work, "plan.jsonl"), "w") as f:
            for line in plan:
                f.write(json.dumps(line) + "\n")
        env_args = ["--google", google.root, "--graph", graph.root,
                    "--google-quota", str(args.google_quota)]
        t1 = time.time()
        fakes_cpu = {"Google": google, "Graph": graph, "feeds": feed_server}
        cpu_made = {k: f.cpu_seconds() for k, f in fakes_cpu.items()}
        empty_db = pg.size_bytes()
        # Seeding processes, each a share of the businesses (a business's lines are
        # consecutive in the plan and stay in one share).
        shares = collections.defaultdict(list)
        for line in plan:
            shares[int(line["business"].rsplit("-", 1)[1]) % args.seeders].append(line)
        seeders = []
        for n, lines in shares.items():
            path = os.path.join(work, "plan%d.jsonl" % n)
            with open(path, "w") as f:
                f.writelines(json.dumps(line) + "\n" for line in lines)
            seeders.append(subprocess.Popen([args.fleet_bench, "seed", "--store", pg.url,
                                             "--plan", path] + env_args,
                                            stdout=subprocess.DEVNULL))
        if any(s.wait() != 0 for s in seeders):
            raise RuntimeError("seeding failed")
        t2 = time.time()
        cpu_seeded = {k: f.cpu_seconds() for k, f in fakes_cpu.items()}
        print("# fakes' CPU seeding (s): %s" % ", ".join(
            "%s %.1f" % (k, cpu_seeded[k] - cpu_made[k]) for k in fakes_cpu), flush=True)
        seeded_db = pg.size_bytes()
        kinds = collections.Counter(line["kind"] for line in plan)
        appointments = sum(len(line.get("appointments", [])) for line in plan)
        print("# %d businesses, %d connections (%s), %d events each, %d appointments to "
              "export; fakes made in %.1f s, seeded through calsync in %.1f s (%d processes); "
              "database %.1f MiB empty, %.1f MiB seeded; workers' shared Google quota %d/min; "
              "load %.1f"
              % (args.businesses, len(plan), ", ".join("%s %d" % kv for kv in sorted(
                  kinds.items())), args.events, appointments, t1 - t0, t2 - t1, args.seeders,
                 empty_db / 2**20, seeded_db / 2**20, args.google_quota, os.getloadavg()[0]),
              flush=True)
        logs = Logs(google, graph, feeds)
        # The first period (no kill) is the one measured against the raw ceiling; the kill
        # has a period of its own after it, with a new booking per business to export.
        periods = [("first", max(workers), 0)] + \
            ([("kill", max(workers), args.kill_after_exports)] if args.kill_after_exports
             else []) + [("poll", w, 0) for w in polls]
        print("| period | W x threads | synced | failed | wall s | syncs/min | raw ceiling "
              "syncs/min | ratio | due->synced p50 / p99 s | worker CPU ms per sync | "
              "peak RSS per worker MiB | DB MiB | API requests per sync | "
              "syncs per connection (0 / 1 / >1) | exports once / lost / twice / stray |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        per_sync = {}
        for label, w, kill in periods:
            if label == "kill":
                appointments += book_one_more(args, pg, plan, work, env_args)
            snap = logs.snapshot()
            cpu_before = {k: f.cpu_seconds() for k, f in fakes_cpu.items()}
            period = run_period(args, pg, w, env_args, work, "%s%d" % (label, w), kill)
            fake_cpu = {k: f.cpu_seconds() - cpu_before[k] for k, f in fakes_cpu.items()}
            pg_cpu = period.pg_cpu
            counting = time.time()
            period_log = logs.since(snap)
            google_log, graph_log, feed_counts, _ = period_log
            started, requests = syncs_per_connection(plan, feed_files, google_log, graph_log,
                                                     feed_counts)
            synced_ids = {r["connection"] for r in period.records if r["outcome"] == "synced"}
            failed = sum(1 for r in period.records if r["outcome"] != "synced")
            # Synced in the period by the store's own account (a killed worker may have
            # finished a sync and died before writing its line).
            stored = int(pg.query("SELECT count(*) FROM connection_status WHERE last_success "
                                  ">= %d" % period.due)[0])
            # Every connection's lease of the period finished (none due from before the
            # period's start, none still held).
            unfinished = int(pg.query("SELECT count(*) FROM work_queue WHERE lease_owner IS "
                                      "NOT NULL OR due_at <= %d" % period.due)[0])
            # From the due time the lease carried, or the period's start when the connection
            # was due before it (the first period: due since it was seeded).
            latencies = [(r["done_ms"] - max(r["due_ms"], period.due * 1000)) / 1000.0
                         for r in period.records if r["outcome"] == "synced"]
            rate = 60.0 * stored / period.wall if period.wall > 0 else 0.0
            zero, one, more, unexplained = read_counts(plan, started, period.killed)
            once, lost, twice, stray = count_exports(plan, *exported_events(google, graph))
            period.phases["logs and counts"] = time.time() - counting
            left_out = {}
            if args.skip_ceiling or label == "kill":
                ceiling = 0.0  # the kill's period waits for leases to lapse: not throughput
            else:
                replaying = time.time()
                raw_before = {k: f.cpu_seconds() for k, f in fakes_cpu.items()}
                raw_wall, _, left_out = raw_ceiling(plan, google, graph, feeds, period_log,
                                                    max(1, w), args.threads, label == "poll")
                raw_fake_cpu = sum(f.cpu_seconds() - raw_before[k] for k, f in fakes_cpu.items())
                ceiling = 60.0 * len(plan) / raw_wall if raw_wall > 0 else 0.0
                period.phases["raw ceiling"] = time.time() - replaying
            by_kind = collections.defaultdict(list)
            for line in plan:
                by_kind[line["kind"]].append(requests.get(line["id"], 0))
            per_sync[label] = {k: sum(v) / len(v) for k, v in by_kind.items()}
            name = label
            if period.killed is not None:
                name += " (%d export bookings, %d claims%s)" % (
                    sum(1 for line in plan if line.get("appointments")), len(period.killed),
                                                  ", restart" if period.restarted else "")
            print("| %s | %d x %d | %d | %d | %.1f | %.0f | %s | %s | %.1f / %.1f | %.1f | %s "
                  "| %.1f | %s | %d / %d / %d | %d / %d / %d / %d |"
                  % (name, w, args.threads, stored, failed, period.wall, rate,
                     "%.0f" % ceiling if ceiling else "-",
                     "%.2fx" % (rate / ceiling) if ceiling else "-",
                     percentile(latencies, 0.5), percentile(latencies, 0.99),
                     1000.0 * period.cpu / max(1, stored),
                     ", ".join("%.0f" % r for r in period.rss), pg.size_bytes() / 2**20,
                     ", ".join("%s %.2f" % kv for kv in sorted(per_sync[label].items())),
                     zero, one, more, once, lost, twice, stray), flush=True)
            print("#   %s: %s" % (name, ", ".join("%s %.1f s" % kv
                                            for kv in period.phases.items())), flush=True)
            if left_out:
                print("#   %s: writes the raw client left out: %s" % (name, ", ".join(
                    "%s %d" % kv for kv in sorted(left_out.items()))), flush=True)
            syncs_of = {"Google": kinds.get("google", 0), "Graph": kinds.get("microsoft", 0),
                        "feeds": kinds.get("ics_feed", 0)}
            print("#   %s: fakes' CPU %s" % (name, ", ".join(
                "%s %.1f s (%.2f ms per sync of theirs)" % (k, v, 1000.0 * v / max(1, syncs_of[k]))
                for k, v in fake_cpu.items())), flush=True)
            # Where a sync's CPU goes, next to what the fakes spent answering the raw replay
            # of the same requests: on a machine the fakes share, the ratio follows them.
            print("#   %s: CPU per sync: workers %.2f ms, PostgreSQL %.2f ms, fakes %.2f ms%s"
                  % (name, 1000.0 * period.cpu / max(1, stored), 1000.0 * pg_cpu / len(plan),
                     1000.0 * sum(fake_cpu.values()) / len(plan),
                     "; the raw replay's fakes %.2f ms" % (1000.0 * raw_fake_cpu / len(plan))
                     if ceiling else ""), flush=True)
            problems = []
            if failed or stored != len(plan) or unfinished or \
                    len(synced_ids) < len(plan) - len(period.killed or ()):
                problems.append("%d synced of %d (%d reported by the workers), %d failed, %d "
                                "leases unfinished" % (stored, len(plan), len(synced_ids), failed,
                                                       unfinished))
            if zero or unexplained:
                problems.append("%d connections never read, %d read again without a kill"
                                % (zero, unexplained))
            if lost or twice or stray or once != appointments:
                problems.append("exports: %d of %d once, %d lost, %d twice, %d stray"
                                % (once, appointments, lost, twice, stray))
            for problem in problems:
                print("# FAILED in period %s: %s" % (name, problem), flush=True)
                ok = False
        if "poll" in per_sync:
            mix = {k: n / args.businesses for k, n in kinds.items()}
            polled = per_sync["poll"]
            hourly = sum(mix[k] * polled.get(k, 0) * 3 for k in mix)
            google_hourly = mix.get("google", 0) * polled.get("google", 0) * 3
            print("# requests per garage per hour, polling every 20 min (steady state): all "
                  "services %.2f, Google %.2f (Google per connection poll: %.2f requests)"
                  % (hourly, google_hourly, polled.get("google", 0)))
        print("# largest tables (MiB): " + pg.largest_tables())
        print("# row updates, in place (HOT) / all: " + pg.updates())
        rows, selected = pg.query("SELECT count(*), sum(selected) FROM calendars")
        print("# calendars: %s rows, %s selected (each connection stores the calendars its "
              "own account lists); the fleet grew the database by %.1f KiB per connection"
              % (rows, selected, (pg.size_bytes() - empty_db) / 1024.0 / len(plan)))
        print("# memory: Google fake %.0f MiB, Graph fake %.0f MiB, feed server %.0f MiB, "
              "this driver %.0f MiB peak" % (google.rss_mib(), graph.rss_mib(),
                                             feed_server.rss_mib(),
                                             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                             / 1024.0))
        if not args.skip_ceiling:
            print("# raw ceiling: the period's requests (reads, inserts into a scratch calendar "
                  "per process, token refreshes of a scratch account) replayed by W processes "
                  "x %d threads (Python http.client, keep-alive), started when the pool is up"
                  % args.threads)
    finally:
        for s in reversed(stopped):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.check and not ok:
        print("FAILED: a connection was not synced exactly once in a period, a sync failed, "
              "or an appointment was not exported exactly once")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
