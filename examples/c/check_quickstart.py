"""Runs the C quickstart against a CalDAV server the tests started, as its README says to,
and checks what it did: the sync was good, the appointment was exported once, and an
independent client (python3-caldav, tests/tools/caldav_peek.py) finds it on the server.

  check_quickstart.py QUICKSTART SERVER_JSON PEEK
"""
import json
import os
import subprocess
import sys


def main():
    program, server_json, peek = sys.argv[1:4]
    with open(server_json) as f:
        server = json.load(f)
    env = dict(os.environ, CALSYNC_PASSWORD=server["password"] or "unused")
    run = subprocess.run([program, server["url"], server["user"] or "anyone",
                          server["calendar_url"]], env=env, capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        sys.exit(f"quickstart failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    answers = {}
    for line in run.stdout.splitlines():
        title, _, body = line.partition(": ")
        answers[title] = json.loads(body)
    sync = answers["sync"]
    if sync["status"]["state"] != "ok":
        sys.exit(f"sync state {sync['status']['state']}: {sync['status']['last_error']}")
    written = sum(c["exports_written"] for c in sync["calendars"])
    if written != 1:
        sys.exit(f"expected one export, the report says {written}")
    found = json.loads(subprocess.run([sys.executable, peek, server_json,
                                       "calsync-quickstart-1"], capture_output=True,
                                      text=True, check=True).stdout)
    if not found.get("found") or "Brake check" not in found["summary"]:
        sys.exit(f"the exported appointment is not on the server as written: {found}")
    print("quickstart ok: synced, exported once, read back by python3-caldav")


if __name__ == "__main__":
    main()
