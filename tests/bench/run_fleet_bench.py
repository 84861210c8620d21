"""The fleet benchmark (issue 16, item 7): N businesses with 1-3 connections each against
the Google fake, the Graph fake and ICS feeds on 127.0.0.1, synced by W worker processes on
one private PostgreSQL. A driver, not a timed test: it prints a table.

  run_fleet_bench.py --fleet-bench BUILD/tests/bench/fleet_bench [--businesses N]
                     [--workers 1,2,4] [--threads 4] [--events 10] [--seed 1] [--check]

What it does:
  1. starts PostgreSQL (tests/store/pg_server.sh), google_fake.py, graph_fake.py and
     fault_server.py (the feeds) on 127.0.0.1;
  2. makes each business's calendars in the fakes (a calendar of its own per connection,
     EVENTS events each; a feed file per ICS connection) and seeds every connection
     through calsync (fleet_bench seed: SyncService on the business's view of the fleet);
  3. runs due periods: every connection due at T (fleet_bench due), then W worker
     processes (fleet_bench work) until nothing is due. The first period is the first
     sync of every connection (with the most workers); then one period per W of polls
     with nothing changed, the steady state of a polling schedule;
  4. after each period, replays the exact GET requests the fakes logged in it with a raw
     client (threads in processes, keep-alive, no calsync): the fakes' ceiling;
  5. counts from the fakes' logs the syncs each connection had in each period (requests
     that start a read: no page token), which must be exactly one.
--check (the CI smoke) exits 1 unless every connection was synced exactly once in every
period and every worker reported no failure.
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
import shutil
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
        self.proc = subprocess.Popen([PYTHON, script], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        self.root = "http://127.0.0.1:%d" % int(self.proc.stdout.readline())

    def control(self, path, body=None):
        return request("POST" if body is not None else "GET", self.root + "/_control/" + path,
                       body)

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

    def query(self, sql):
        return subprocess.run([self.psql, "-At", "-F", " ", "-h", self.dir, "-p", self.port,
                               "-U", "calsync", "-d", "postgres", "-c", sql],
                              check=True, capture_output=True, text=True).stdout.split()

    def stop(self):
        subprocess.run(["sh", PG_SERVER, "stop", self.state], check=False)


def build_plan(args, google, graph, feeds, work):
    """Every connection of every business, its calendar made in its service."""
    rng = random.Random(args.seed)
    # Every business's Outlook calendar is in the fake's one mailbox, and connecting lists
    # them all (10 a page unless asked otherwise): a real account has a few.
    graph.control("config", {"default_page": 1000})
    google.control("calendar", {"id": "fleet-owner@garage.example", "summary": "owner",
                                "primary": True, "accessRole": "owner", "timeZone": "UTC"})
    start = int(time.time()) // 3600 * 3600 + 86400
    plan = []
    feed_files = {}
    for b in range(args.businesses):
        business = "garage-%05d" % b
        # Distinct kinds: every Google connection is of the fake's one account, and a
        # business connecting an account again gets its first connection back.
        for k, kind in enumerate(rng.sample(KINDS, rng.randint(1, 3))):
            cid = "%s-c%d" % (business, k)
            times = [(start + 3600 * rng.randint(0, 24 * 60), 3600) for _ in range(args.events)]
            line = {"business": business, "kind": kind, "id": cid}
            if kind == "google":
                calendar = cid + "@group.calendar.google.com"
                google.control("calendar", {"id": calendar, "summary": cid,
                                            "accessRole": "owner", "timeZone": "UTC"})
                q = "event?calendar=" + urllib.parse.quote(calendar, safe="")
                for i, (t, d) in enumerate(times):
                    google.control(q, {"id": "e%d%s" % (i, cid.replace("-", "")),
                                       "summary": "busy %d" % i, "status": "confirmed",
                                       "start": {"dateTime": rfc3339(t)},
                                       "end": {"dateTime": rfc3339(t + d)}})
                granted = google.control("grant", {"client_id":
                                                   "test-client.apps.googleusercontent.com",
                                                   "scope": GOOGLE_SCOPES,
                                                   "expires_in": 6 * 3600})
                line["calendar"] = calendar
                line["tokens"] = {"version": 1, "access_token": granted["access_token"],
                                  "refresh_token": granted["refresh_token"],
                                  "scope": GOOGLE_SCOPES,
                                  "expires_at": rfc3339(time.time() + 6 * 3600)}
            elif kind == "microsoft":
                calendar = graph.control("calendar", {"name": cid})["id"]
                for i, (t, d) in enumerate(times):
                    graph.control("event", {"calendar": calendar, "subject": "busy %d" % i,
                                            "start": rfc3339(t), "end": rfc3339(t + d)})
                granted = graph.control("grant", {"scope": GRAPH_SCOPE})
                line["calendar"] = calendar
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
            plan.append(line)
    return plan, feed_files


class Logs:
    """What the fakes logged so far, to take the difference of a period."""

    def __init__(self, google, graph, feeds):
        self.google, self.graph, self.feeds = google, graph, feeds

    def snapshot(self):
        g = request("GET", self.google.root + "/_control/requests")
        m = request("GET", self.graph.root + "/_control/stats")["log"]
        f = request("GET", self.feeds + "/counters")
        return len(g), len(m), f

    def since(self, snap):
        g = request("GET", self.google.root + "/_control/requests")[snap[0]:]
        m = request("GET", self.graph.root + "/_control/stats")["log"][snap[1]:]
        f = request("GET", self.feeds + "/counters")
        feeds = {k[5:]: v - snap[2].get(k, 0) for k, v in f.items() if k.startswith("feed /")}
        return g, m, {k: v for k, v in feeds.items() if v}


def syncs_per_connection(plan, feed_files, google_log, graph_log, feed_counts):
    """Reads started per connection in a period, and the API requests it made."""
    started = collections.Counter()
    requests = collections.Counter()
    by_calendar = {line.get("calendar"): line["id"] for line in plan if "calendar" in line}
    for r in google_log:
        parts = r["path"].split("/")
        cid = by_calendar.get(urllib.parse.unquote(parts[4])) if len(parts) > 4 else None
        if cid is None:
            continue
        requests[cid] += 1
        if r["route"] == "events.list" and "pageToken" not in r["query"]:
            started[cid] += 1
    for entry in graph_log:
        target = entry.split(" ", 1)[1]
        path, _, query = target.partition("?")
        cid = next((by_calendar[p] for p in
                    (urllib.parse.unquote(s) for s in path.split("/")) if p in by_calendar), None)
        if cid is None:
            continue
        requests[cid] += 1
        if "skiptoken" not in query:
            started[cid] += 1
    by_file = {path: cid for cid, path in feed_files.items()}
    for path, n in feed_counts.items():
        cid = by_file.get(path)
        if cid is not None:
            requests[cid] += n
            started[cid] += n
    return started, requests


def replay_chunk(work):
    """One raw client process: keep-alive connections per thread, the same GETs."""
    jobs, threads = work
    def run(part):
        conns = {}
        for host, port, target, headers in part:
            c = conns.get((host, port))
            if c is None:
                c = conns[(host, port)] = http.client.HTTPConnection(host, port, timeout=60)
            c.request("GET", target, headers=headers)
            resp = c.getresponse()
            resp.read()
            if resp.status >= 400:
                raise RuntimeError("raw %s: HTTP %d" % (target, resp.status))
        return len(part)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(run, [jobs[i::threads] for i in range(threads)]))


def raw_ceiling(google, graph, feeds, google_log, graph_log, feed_counts, processes, threads,
                conditional):
    """Wall seconds of the same GETs issued by a raw client: as many processes and threads
    as the workers had."""
    gtoken = google.control("grant", {"client_id": "test-client.apps.googleusercontent.com",
                                      "scope": "https://www.googleapis.com/auth/calendar",
                                      "expires_in": 6 * 3600})["access_token"]
    mtoken = graph.control("grant", {"scope": GRAPH_SCOPE})["access_token"]
    g = urllib.parse.urlsplit(google.root)
    m = urllib.parse.urlsplit(graph.root)
    f = urllib.parse.urlsplit(feeds)
    jobs = []
    for r in google_log:
        if r["method"] == "GET":
            target = r["path"] + "?" + urllib.parse.urlencode(r["query"], doseq=True)
            jobs.append((g.hostname, g.port, target, {"Authorization": "Bearer " + gtoken}))
    for entry in graph_log:
        method, target = entry.split(" ", 1)
        if method == "GET":
            jobs.append((m.hostname, m.port, target, {"Authorization": "Bearer " + mtoken}))
    for path, n in feed_counts.items():
        with open(path, "rb") as fh:
            etag = '"' + hashlib.sha1(fh.read()).hexdigest() + '"'
        for _ in range(n):
            # As calsync asks: unconditional the first time, then with the ETag it kept.
            headers = {"If-None-Match": etag} if conditional else {}
            jobs.append((f.hostname, f.port, "/feed?file=" + urllib.parse.quote(path),
                         headers))
    random.Random(7).shuffle(jobs)
    began = time.monotonic()
    with multiprocessing.Pool(processes) as pool:
        done = sum(pool.map(replay_chunk,
                            [(jobs[i::processes], threads) for i in range(processes)]))
    return time.monotonic() - began, done


def run_period(args, pg, plan, workers, env_args, work, label):
    # Due at the next whole second (the queue keeps seconds); the workers start then, so
    # due-to-synced includes starting a worker process.
    due = int(time.time()) + 1
    subprocess.run([args.fleet_bench, "due", "--store", pg.url, "--plan",
                    os.path.join(work, "plan.jsonl"), "--at", str(due)], check=True)
    time.sleep(max(0.0, due - time.time()))
    began = due
    procs = []
    for w in range(workers):
        out = os.path.join(work, "%s-w%d.jsonl" % (label, w))
        procs.append((out, subprocess.Popen(
            [args.fleet_bench, "work", "--store", pg.url, "--out", out, "--owner",
             "%s-w%d" % (label, w), "--threads", str(args.threads), "--drain", "90"]
            + env_args)))
    rss = []
    cpu = 0.0
    for out, p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise RuntimeError("a worker exited with %d" % p.returncode)
        rss.append(usage.ru_maxrss / 1024.0)
        cpu += usage.ru_utime + usage.ru_stime
    records = []
    for out, _ in procs:
        with open(out) as f:
            records += [json.loads(line) for line in f if '"connection"' in line]
    wall = max(r["done_ms"] for r in records) / 1000.0 - began if records else 0.0
    return due, records, wall, rss, cpu


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fleet-bench", required=True)
    p.add_argument("--businesses", type=int, default=300)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--events", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
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
        env_args = ["--google", google.root, "--graph", graph.root]
        t1 = time.time()
        empty_db = pg.size_bytes()
        # Two seeding processes, each a share of the businesses (a business's lines are
        # consecutive in the plan and stay in one share).
        shares = collections.defaultdict(list)
        for line in plan:
            shares[int(line["business"].rsplit("-", 1)[1]) % 2].append(line)
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
        kinds = collections.Counter(line["kind"] for line in plan)
        print("# %d businesses, %d connections (%s), %d events each; fakes made in %.1f s, "
              "seeded through calsync in %.1f s; empty database %.1f MiB; load %s"
              % (args.businesses, len(plan), ", ".join("%s %d" % kv for kv in sorted(
                  kinds.items())), args.events, t1 - t0, time.time() - t1, empty_db / 2**20,
                 os.getloadavg()[0]))
        logs = Logs(google, graph, feeds)
        periods = [("first", max(workers))] + [("poll", w) for w in workers]
        print("| period | W x threads | synced | failed | syncs/min | raw ceiling syncs/min | "
              "ratio | due->synced p50 / p99 s | worker CPU ms per sync | peak RSS per worker MiB | "
              "DB MiB | "
              "API requests per sync | syncs per connection (0 / 1 / >1) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        per_sync = {}
        for label, w in periods:
            snap = logs.snapshot()
            due, records, wall, rss, cpu = run_period(args, pg, plan, w, env_args, work,
                                                 "%s%d" % (label, w))
            google_log, graph_log, feed_counts = logs.since(snap)
            started, requests = syncs_per_connection(plan, feed_files, google_log, graph_log,
                                                     feed_counts)
            synced = [r for r in records if r["outcome"] == "synced"]
            failed = len(records) - len(synced)
            # From the due time the lease carried, or the period's start when the connection
            # was due before it (the first period: due since it was seeded).
            latencies = [(r["done_ms"] - max(r["due_ms"], due * 1000)) / 1000.0 for r in synced]
            raw_wall, _ = raw_ceiling(google, graph, feeds, google_log, graph_log, feed_counts,
                                      max(1, w), args.threads, label == "poll")
            rate = 60.0 * len(synced) / wall if wall > 0 else 0.0
            ceiling = 60.0 * len(plan) / raw_wall if raw_wall > 0 else 0.0
            counts = [started.get(line["id"], 0) for line in plan]
            zero, one, more = (sum(1 for c in counts if c == 0), sum(1 for c in counts if c == 1),
                               sum(1 for c in counts if c > 1))
            by_kind = collections.defaultdict(list)
            for line in plan:
                by_kind[line["kind"]].append(requests.get(line["id"], 0))
            per_sync[label] = {k: sum(v) / len(v) for k, v in by_kind.items()}
            print("| %s | %d x %d | %d | %d | %.0f | %.0f | %.2fx | %.1f / %.1f | %.1f | %s | %.1f "
                  "| %s "
                  "| %d / %d / %d |"
                  % (label, w, args.threads, len(synced), failed, rate, ceiling,
                     rate / ceiling if ceiling else 0.0, percentile(latencies, 0.5),
                     percentile(latencies, 0.99), 1000.0 * cpu / max(1, len(synced)),
                     ", ".join("%.0f" % r for r in rss),
                     pg.size_bytes() / 2**20,
                     ", ".join("%s %.2f" % kv for kv in sorted(per_sync[label].items())),
                     zero, one, more), flush=True)
            if failed or zero or more or len(synced) != len(plan):
                ok = False
        mix = {k: n / args.businesses for k, n in kinds.items()}
        polls = per_sync["poll"]
        hourly = sum(mix[k] * polls.get(k, 0) * 3 for k in mix)
        google_hourly = mix.get("google", 0) * polls.get("google", 0) * 3
        print("# requests per garage per hour, polling every 20 min (steady state): all "
              "services %.2f, Google %.2f (Google per connection poll: %.2f requests)"
              % (hourly, google_hourly, polls.get("google", 0)))
        print("# largest tables (MiB): " + pg.largest_tables())
        rows, selected = pg.query("SELECT count(*), sum(selected) FROM calendars")
        calendars = int(pg.query("SELECT pg_total_relation_size('calendars')")[0])
        print("# calendars: %s rows, %s selected: each connection stores the calendars its "
              "account lists, and here every business's Google (Outlook) connection is of "
              "the fake's one account (mailbox), which lists every business's calendar; "
              "without that table the database grew by %.1f KiB per connection"
              % (rows, selected, (pg.size_bytes() - empty_db - calendars) / 1024.0 / len(plan)))
        print("# raw ceiling: the period's GETs replayed by W processes x %d threads (Python "
              "http.client, keep-alive), started when the pool is up" % args.threads)
    finally:
        for s in reversed(stopped):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.check and not ok:
        print("FAILED: a connection was not synced exactly once in a period, or a sync failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
