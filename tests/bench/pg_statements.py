#!/usr/bin/env python3
"""PostgreSQL statements per sync, per period of a fleet benchmark run.

Run the benchmark with the server logging every statement, one line each:
  CALSYNC_PG_OPTIONS="-c log_statement=all -c logging_collector=on -c log_directory=DIR
  -c log_line_prefix=%p:" run_fleet_bench.py ... --skip-ceiling
then `pg_statements.py DIR --syncs N` (N: the connections, synced once per period). The
driver's end-of-period count of the work queue splits the log into periods; the first part
holds the seeding too. Statements are grouped by their first 100 characters.
"""
import argparse
import collections
import glob
import os
import re

STATEMENT = re.compile(r"^\d+:LOG:  (?:execute [^:]*|statement): (.*)$")
PERIOD_END = "SELECT count(*) FROM work_queue WHERE lease_owner IS NOT NULL OR due_at <="


def periods(log_dir):
    """The statements of each period, in log order."""
    found, current = [], []
    for path in sorted(glob.glob(os.path.join(log_dir, "*.log"))):
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                m = STATEMENT.match(line)
                if not m:
                    continue
                text = m.group(1)
                if text.startswith(PERIOD_END):
                    found.append(current)
                    current = []
                else:
                    current.append(text)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log_dir")
    ap.add_argument("--syncs", type=int, required=True, help="syncs per period")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    for number, texts in enumerate(periods(args.log_dir), 1):
        print("period %d: %d statements, %.1f per sync%s" %
              (number, len(texts), len(texts) / args.syncs,
               " (seeding included)" if number == 1 else ""))
        counts = collections.Counter(t[:100] for t in texts)
        for text, n in counts.most_common(args.top):
            print("  %6.2f  %s" % (n / args.syncs, text))


if __name__ == "__main__":
    main()
