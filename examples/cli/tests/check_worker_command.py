"""`calsync worker --store URL` (issue 16): on the state directory's own SQLite file, one
pass syncs the feed the CLI connected (connecting made it due in the file's work queue) and
the next finds nothing due; `blocked` and `free` with --store read the slots the worker
stored, the same as the state's own client answers; the loop stops at SIGTERM with status
0; --store is required. The feed comes from tests/fakes/fault_server.py.

  check_worker_command.py CLI FAULT_SERVER DATA_DIR
"""
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from cli_runner import Runner

cli, fault_server, data = sys.argv[1:4]
scratch = tempfile.mkdtemp(prefix="calsync-cli-worker-")
state = os.path.join(scratch, "state")
env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
env.update(HOME=scratch, CALSYNC_STATE_DIR=state)
runner = Runner(cli, env)
run, expect_in, problems = runner.run, runner.expect_in, runner.problems

server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    origin = f"http://127.0.0.1:{int(server.stdout.readline())}"
    copy = os.path.join(scratch, "personal.ics")
    shutil.copy(os.path.join(data, "personal.ics"), copy)
    # One event two days from now, inside the sync window whenever the test runs.
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).date()
    with open(copy) as f:
        text = f.read()
    with open(copy, "w") as f:
        f.write(text.replace("END:VCALENDAR", (
            "BEGIN:VEVENT\r\nUID:inspection\r\nSUMMARY:Inspection\r\n"
            "DTSTAMP:20260501T080000Z\r\n"
            f"DTSTART:{day:%Y%m%d}T100000Z\r\nDTEND:{day:%Y%m%d}T110000Z\r\n"
            "END:VEVENT\r\nEND:VCALENDAR")))
    run("connect", "ics", f"{origin}/feed?file={copy}", "--id", "personal",
        "--zone", "Europe/Berlin", "--allow-private-addresses")
    calendar = json.loads(run("calendars", "--json").stdout)["connections"][0]["calendars"][0]
    run("select", calendar["id"], "--direction", "import")
    store = "sqlite:" + os.path.join(state, "calsync.sqlite")

    first = json.loads(run("worker", "--store", store, "--once", "--owner", "cli-test").stdout)
    if first["claimed"] != 1 or [r["connection_id"] for r in first["reports"]] != ["personal"]:
        problems.append(f"the first pass did not sync the connected feed: {first}")
    second = json.loads(run("worker", "--store", store, "--once").stdout)
    if second["claimed"] != 0:
        problems.append(f"the second pass claimed what was just synced: {second}")
    status = json.loads(run("status", "--json").stdout)["connections"][0]["status"]
    if status["state"] != "ok":
        problems.append(f"the worker's sync is not what the CLI reads: {status}")

    # A host without a client of its own reads the slots the worker stored.
    span = ["--from", f"{day}T00:00:00Z", "--to", f"{day}T23:00:00Z", "--json"]
    kept = json.loads(run("blocked", "--store", store, "--business", "default", *span).stdout)
    own = json.loads(run("blocked", *span).stdout)
    if [(s["event_id"], s["start"]) for s in kept["slots"]] != [("inspection", f"{day}T10:00:00Z")]:
        problems.append(f"blocked --store: not the slot the worker stored: {kept}")
    if kept != own:
        problems.append(f"blocked --store differs from the state's own answer: {kept} / {own}")
    free = json.loads(run("free", "--store", store, "--from", f"{day}T09:00:00Z", "--to",
                          f"{day}T12:00:00Z", "--duration", "1h", "--step", "1h",
                          "--json").stdout)
    if [w["start"] for w in free["free"]] != [f"{day}T09:00:00Z", f"{day}T11:00:00Z"]:
        problems.append(f"free --store: not around the stored slot: {free}")
    lone = run("blocked", "--business", "default", *span, expect=2,
               label="blocked --business without --store")
    expect_in(lone.stderr, "--store", "--business without --store names it")

    # The loop runs until SIGTERM, then exits 0.
    loop = subprocess.Popen([cli, "worker", "--store", store], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    loop.send_signal(signal.SIGTERM)
    try:
        out, err = loop.communicate(timeout=20)
        if loop.returncode != 0:
            problems.append(f"worker loop after SIGTERM: status {loop.returncode}: {err}")
    except subprocess.TimeoutExpired:
        loop.kill()
        problems.append("worker loop did not stop at SIGTERM")

    done = run("worker", "--once", expect=2, label="worker without --store")
    expect_in(done.stderr, "--store", "worker without --store names it")
finally:
    server.terminate()
    server.wait()

shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
