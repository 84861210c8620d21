"""The peer for bench_caldav: python3-caldav (Debian 12: 0.11) syncing the same calendar.

  peer_caldav.py SERVER_JSON [--repeat N] [--sync-repeat N]

Prints medians of wall and process CPU time for:
  full sync   objects_by_sync_token(load_objects=True): the library's sync, which lists
              the members and then GETs each one
  full fetch  events(): one calendar-query with the data (no sync token to continue from)
  one change  objects_by_sync_token(token, load_objects=True) after another client moved
              one event
Run it with Debian's /usr/bin/python3 (the module is a Debian package).
"""
import argparse
import json
import statistics
import time

import caldav

EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
         "UID:load-500\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260401T090000Z\r\n"
         "DTEND:20260401T100000Z\r\nSUMMARY:peer moved {}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def timed(action):
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def report(name, runs, count):
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    print(f"{name:<12} wall {statistics.median(walls) * 1000:9.1f} ms   "
          f"cpu {statistics.median(cpus) * 1000:9.1f} ms   events {count}   runs {len(runs)}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("server_json")
    p.add_argument("--repeat", type=int, default=5)
    # The library's full sync GETs every event: minutes for 10,000, so fewer runs.
    p.add_argument("--sync-repeat", type=int, default=1)
    a = p.parse_args()
    with open(a.server_json) as f:
        server = json.load(f)
    client = caldav.DAVClient(server["url"], username=server["user"] or None,
                              password=server["password"] or None)
    calendar = caldav.Calendar(client=client, url=server["calendar_url"])

    runs, count = [], 0
    for _ in range(a.sync_repeat):
        wall, cpu, objects = timed(lambda: calendar.objects_by_sync_token(load_objects=True))
        count = sum(1 for o in objects if o.data)
        runs.append((wall, cpu))
    if runs:
        report("full sync", runs, count)
    else:
        print("full sync    skipped (--sync-repeat 0)")

    runs = []
    for _ in range(a.repeat):
        wall, cpu, events = timed(calendar.events)
        count = len(events)
        runs.append((wall, cpu))
    report("full fetch", runs, count)

    token = calendar.objects_by_sync_token().sync_token
    runs = []
    for i in range(a.repeat):
        calendar.save_event(EVENT.format(i))
        wall, cpu, changed = timed(
            lambda: calendar.objects_by_sync_token(sync_token=token, load_objects=True))
        token = changed.sync_token
        count = len(list(changed))
        runs.append((wall, cpu))
    report("one change", runs, count)


if __name__ == "__main__":
    main()
