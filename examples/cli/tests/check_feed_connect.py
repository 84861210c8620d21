"""Connecting an ICS feed (issue 15 items 13 and 14): the feed is fetched at connect, so a
mistyped or dead link fails there and nothing is kept; the label is the feed's X-WR-CALNAME;
doctor really reads the feed; the link (a secret) shows by its origin only; reconnecting with
another --id says which id the connection keeps. Feeds from tests/fakes/fault_server.py.

  check_feed_connect.py CLI FAULT_SERVER DATA_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from cli_runner import Runner

cli, fault_server, data = sys.argv[1:4]
scratch = tempfile.mkdtemp(prefix="calsync-cli-feed-")
env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
env.update(HOME=scratch, CALSYNC_STATE_DIR=os.path.join(scratch, "state"))
runner = Runner(cli, env)
run, expect_in, problems = runner.run, runner.expect_in, runner.problems
SECRET = "s3cret-feed-token"

server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    origin = f"http://127.0.0.1:{int(server.stdout.readline())}"

    def feed(path):
        return f"{origin}/feed?file={path}&token={SECRET}"

    def connections():
        done = run("status", "--json")
        return [c["id"] for c in json.loads(done.stdout or '{"connections": []}')["connections"]]

    # --- a link that does not answer with a feed fails at connect and keeps nothing
    for url, words, code in [(f"{origin}/no-such-feed?token={SECRET}", "HTTP 404", 4),
                             (f"{origin}/ok?token={SECRET}", "not an iCalendar feed", 1)]:
        done = run("connect", "ics", url, "--zone", "Europe/Berlin",
                   "--allow-private-addresses", expect=code, label=f"connect {words}")
        expect_in(done.stderr, words, f"connect ics to a link that answers {words}")
        expect_in(done.stderr, origin, "the failing link named by its origin")
    if connections():
        problems.append(f"a failed connect kept a connection: {connections()}")

    # --- the label is the feed's X-WR-CALNAME once read (not "feed")
    copy = os.path.join(scratch, "personal.ics")
    shutil.copy(os.path.join(data, "personal.ics"), copy)
    done = run("connect", "ics", feed(copy), "--id", "personal", "--zone", "Europe/Berlin",
               "--allow-private-addresses")
    expect_in(done.stdout, "Connected personal", "connect ics")
    listed = json.loads(run("calendars", "--json").stdout)["connections"][0]["calendars"]
    names = [c["name"] for c in listed]
    if names != ["Personal"]:
        problems.append(f"the feed's calendar is labelled {names}, not its X-WR-CALNAME")

    # --- read once at connect; listing and selecting its one calendar do not read it again
    def feed_reads():
        with urllib.request.urlopen(f"{origin}/counters") as answer:
            return json.load(answer).get(f"feed {copy}", 0)
    if feed_reads() != 1:
        problems.append(f"connect read the feed {feed_reads()} times, not once")
    run("calendars")
    run("select", "Personal", "--direction", "import")
    if feed_reads() != 1:
        problems.append(f"calendars and select read the feed again: {feed_reads()} reads")
    run("sync")
    if feed_reads() != 2:
        problems.append(f"sync after connect: {feed_reads()} reads of the feed, not 2")

    # --- doctor reads the feed: fine now, a problem once the feed is gone
    done = run("doctor")
    expect_in(done.stdout, "listed 1 calendar.", "doctor on a readable feed")
    os.remove(copy)
    done = run("doctor", expect=1)
    expect_in(done.stdout, "[problem]", "doctor on a feed that is gone")
    expect_in(done.stdout, origin, "doctor names the feed by its origin")
    shutil.copy(os.path.join(data, "personal.ics"), copy)

    # --- reconnecting with another --id keeps the old one, and says so
    done = run("connect", "ics", feed(copy), "--id", "renamed")
    expect_in(done.stdout, "Reconnected personal", "reconnect")
    expect_in(done.stderr, "already connected as 'personal': it keeps that id (--id renamed "
              "was not used)", "reconnect with another --id")
    done = run("connect", "ics", feed(copy), "--id", "renamed", "--json")
    if json.loads(done.stdout)["id"] != "personal":
        problems.append(f"connect --json after a reconnect: {done.stdout}")
    expect_in(done.stderr, "keeps that id", "reconnect --json says so on stderr")
    if connections() != ["personal"]:
        problems.append(f"connections after the reconnects: {connections()}")
finally:
    server.terminate()
    server.wait()

for text in runner.outputs:
    if SECRET in text:
        problems.append(f"the feed link's secret was printed: {text}")
shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
