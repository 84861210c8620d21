#!/usr/bin/env python3
"""PostgreSQL statements per sync, per period of a fleet benchmark run.

Run the benchmark with the server logging every statement, one line each:
  CALSYNC_PG_OPTIONS="-c log_statement=all -c logging_collector=on -c log_directory=DIR
  -c log_line_prefix=%p:" run_fleet_bench.py ... --skip-ceiling
then `pg_statements.py DIR --syncs N` (N: the connections, synced once per period). The
driver's end-of-period count of the work queue splits the log into periods; the first part
holds the seeding too. Statements are grouped by their first 100 characters.
With `-c log_min_duration_statement=0` instead of `-c log_statement=all`, each line also
gives the server's time: a statement's bind (and parse) count towards its time, and the
statements are listed by time per sync.
"""
import argparse
import collections
import glob
import os
import re

STATEMENT = re.compile(r"^\d+:LOG:  (?:duration: ([0-9.]+) ms  )?(execute|bind|parse|statement)"
                       r"[^:]*: (.*)$")
PERIOD_END = "SELECT count(*) FROM work_queue WHERE lease_owner IS NOT NULL OR due_at <="


def periods(log_dir):
    """Each period's (text, ran, ms): ran is false for a bind or parse; ms is None unless
    the log gives durations."""
    found, current = [], []
    for path in sorted(glob.glob(os.path.join(log_dir, "*.log"))):
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                m = STATEMENT.match(line)
                if not m:
                    continue
                ms, phase, text = m.groups()
                if text.startswith(PERIOD_END):
                    if phase in ("execute", "statement"):
                        found.append(current)
                        current = []
                else:
                    current.append((text[:100], phase in ("execute", "statement"),
                                    None if ms is None else float(ms)))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log_dir")
    ap.add_argument("--syncs", type=int, required=True, help="syncs per period")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    for number, entries in enumerate(periods(args.log_dir), 1):
        counts = collections.Counter(text for text, ran, _ in entries if ran)
        timed = [(text, ms) for text, _, ms in entries if ms is not None]
        n = sum(counts.values())
        print("period %d: %d statements, %.1f per sync%s%s" %
              (number, n, n / args.syncs,
               ", %.0f us per sync" % (sum(ms for _, ms in timed) * 1000 / args.syncs)
               if timed else "", " (seeding included)" if number == 1 else ""))
        if timed:
            times = collections.Counter()
            for text, ms in timed:
                times[text] += ms
            for text, ms in times.most_common(args.top):
                print("  %6.2f  %7.1f us  %s" % (counts[text] / args.syncs,
                                                 ms * 1000 / args.syncs, text))
        else:
            for text, count in counts.most_common(args.top):
                print("  %6.2f  %s" % (count / args.syncs, text))


if __name__ == "__main__":
    main()
