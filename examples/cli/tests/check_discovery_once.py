"""How many PROPFIND requests `calsync connect caldav`, `calendars` and `select` make
against Radicale (the dav/radicale fixture logs one line per request): CalDAV discovery
(RFC 6764: the principal, its calendar home) runs once, at connect, and is kept with the
connection; later listings start at the home (issue 14, item 10: connect used to discover
twice, 6 PROPFINDs, and select and calendars again, 3 each).

  check_discovery_once.py CLI SERVER_JSON
"""
import os
import sys

from dav_calendar import ConnectedState, DavCalendar

cli, server_json = sys.argv[1:3]
calendar = DavCalendar(server_json, "discovery")
if calendar.server["kind"] != "radicale":
    sys.exit("this check reads Radicale's request log")
log = os.path.join(os.path.dirname(os.path.abspath(server_json)), "server.log")


def propfinds():
    with open(log, errors="replace") as f:
        return sum(1 for line in f if "PROPFIND request for" in line)


calendar.make()
session = None
try:
    before = propfinds()
    session = ConnectedState(cli, calendar, select=False)
    runner, problems = session.runner, session.runner.problems
    # Discovery (2) and the listing the account is checked with (1), then the listing
    # connect prints (1).
    connect = propfinds() - before
    if connect > 4:
        problems.append(f"connect made {connect} PROPFINDs, expected at most 4")
    for args, most in ((["calendars"], 1), (["select", calendar.name, "--direction", "both"], 1)):
        before = propfinds()
        runner.run(*args)
        made = propfinds() - before
        if made > most:
            problems.append(f"{args[0]} made {made} PROPFINDs, expected at most {most}")
finally:
    calendar.delete()
    if session:
        session.remove()

session.runner.finish()
