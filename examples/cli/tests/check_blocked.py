"""Checks `calsync blocked --json` on the bundled sample calendars against facts worked
out by hand from examples/data/*.ics (Berlin is UTC+2 in June)."""
import json
import subprocess
import sys

cli, data = sys.argv[1], sys.argv[2]
out = subprocess.run(
    [cli, "blocked", "--ics", f"{data}/workshop.ics", "--ics", f"{data}/personal.ics",
     "--ics", f"{data}/no-name.ics", "--from", "2026-06-01", "--to", "2026-06-15",
     "--tz", "Europe/Berlin", "--owner", "mailto:OWNER@garage.example", "--json"],
    check=True, capture_output=True, text=True).stdout
doc = json.loads(out)
slots = {(s["event_id"], s["start"], s["end"], s["label"], s["all_day"], s["tentative"])
         for s in doc["slots"]}
expected = {
    ("staff-meeting", "2026-06-01T06:00:00Z", "2026-06-01T07:00:00Z", "Workshop", False, False),
    # 2026-06-04 is excluded by EXDATE; 2026-06-08 moved to 16:00 local by an override.
    ("staff-meeting", "2026-06-08T14:00:00Z", "2026-06-08T15:00:00Z", "Workshop", False, False),
    ("staff-meeting", "2026-06-11T06:00:00Z", "2026-06-11T07:00:00Z", "Workshop", False, False),
    ("lift-inspection", "2026-06-03T11:00:00Z", "2026-06-03T13:00:00Z", "Workshop", False, True),
    ("dentist", "2026-06-02T13:30:00Z", "2026-06-02T14:30:00Z", "Personal", False, False),
    # All-day 10..12 June in the business zone: local midnight to local midnight.
    ("summer-holiday", "2026-06-09T22:00:00Z", "2026-06-12T22:00:00Z", "Personal", True, False),
    # Floating 06:30-08:00 read in Europe/Berlin; no X-WR-CALNAME, so the file name.
    ("tuv-appointment", "2026-06-05T04:30:00Z", "2026-06-05T06:00:00Z", "no-name.ics", False,
     False),
}
problems = []
if slots != expected:
    problems.append(f"missing: {sorted(expected - slots)}\nunexpected: {sorted(slots - expected)}")
ids = {s["event_id"] for s in doc["slots"]}
for never in ("parts-delivery", "calsync-appt-1042", "cancelled-lunch", "declined-webinar"):
    if never in ids:
        problems.append(f"{never} must not block")
# The 11 June meeting lies inside the holiday, so 7 slots merge into 6 busy intervals.
if len(doc["busy"]) != 6:
    problems.append(f"expected 6 busy intervals, got {len(doc['busy'])}")
if doc["errors"]:
    problems.append(f"unexpected errors: {doc['errors']}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok: 7 slots, 6 busy intervals")
