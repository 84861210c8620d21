"""`--from` / `--to` as a person types them (issue 15 item 11): an impossible date is a
usage error naming the option and saying what is wrong (it used to become another day, or
"end is before start"), and `today`, `tomorrow` and `+Nd` are days in the business's zone,
not in UTC or the machine's zone.

  check_dates.py CLI DATA_DIR
"""
import datetime
import json
import os
import shutil
import sys
import tempfile
import zoneinfo

from cli_runner import Runner

cli, data = sys.argv[1:3]
scratch = tempfile.mkdtemp(prefix="calsync-cli-dates-")
env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
env.update(HOME=scratch, CALSYNC_STATE_DIR=os.path.join(scratch, "state"), TZ="UTC")
runner = Runner(cli, env)
run, expect_in, problems = runner.run, runner.expect_in, runner.problems
personal = os.path.join(data, "personal.ics")

# --- impossible dates: exit 2, the option named, nothing done (stored and --ics forms)
run("appointments", "upsert", os.path.join(data, "appointments.json"))
for files in (("--zone", "Europe/Berlin"), ("--ics", personal, "--tz", "Europe/Berlin")):
    for args, message in [
            (("--from", "2026-02-30", "--to", "2026-03-05"),
             "--from: '2026-02-30' is not a date (February has 28 days in 2026)"),
            (("--from", "2026-03-01", "--to", "2026-13-45"),
             "--to: '2026-13-45' is not a date (there is no month 13)"),
            (("--from", "2026-06-01T25:00:00Z", "--to", "2026-06-02"), "--from: expected"),
            (("--from", "next week", "--to", "2026-06-02"), "--from: expected a date"),
            (("--from", "2026-06-05", "--to", "2026-06-01"), "--to (2026-06-01 00:00 +0200) "
             "must be after --from (2026-06-05 00:00 +0200)")]:
        done = run("blocked", *files, *args, expect=2, label=(files, args))
        expect_in(done.stderr, message, f"blocked {files} {args}")
        if "before start" in done.stderr or "start:" in done.stderr:
            problems.append(f"{args}: the library's words, not the option: {done.stderr}")
done = run("free", "--from", "2026-02-29", "--to", "2026-03-02", "--duration", "1h", expect=2)
expect_in(done.stderr, "--from: '2026-02-29' is not a date (February has 28 days in 2026)",
          "free")

# --- today, tomorrow, +Nd: midnights in the business's zone. Kiritimati (UTC+14) and
# Pago Pago (UTC-11) are 25 hours apart, so at any hour one of them is on another date than
# UTC: a "today" taken in UTC (or in the machine's zone, TZ=UTC here) misses in one of them.
for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
    tz = zoneinfo.ZoneInfo(zone)
    today = datetime.datetime.now(tz).date()

    def at(days, hour, minute):
        day = today + datetime.timedelta(days=days)
        local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        return local.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    events = {"yesterday-late": (-1, 23, 0), "today-early": (0, 0, 30),
              "tomorrow-early": (1, 0, 30), "day-7-early": (7, 0, 30), "day-8-early": (8, 0, 30)}
    path = os.path.join(scratch, f"{zone.replace('/', '-')}.ics")
    with open(path, "w") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n")
        for uid, (days, hour, minute) in events.items():
            f.write(f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
                    f"DTSTART:{at(days, hour, minute)}\r\nDTEND:{at(days, hour, minute + 20)}\r\n"
                    "SUMMARY:x\r\nEND:VEVENT\r\n")
        f.write("END:VCALENDAR\r\n")
    for start, end, expected in [("today", "+8d", {"today-early", "tomorrow-early", "day-7-early"}),
                                 ("tomorrow", "+7d", {"tomorrow-early"}),
                                 ("+0d", "tomorrow", {"today-early"})]:
        done = run("blocked", "--ics", path, "--from", start, "--to", end, "--tz", zone,
                   "--json", label=(zone, start, end))
        got = {s["event_id"] for s in json.loads(done.stdout or '{"slots": []}')["slots"]}
        if got != expected:
            problems.append(f"{zone} --from {start} --to {end}: {sorted(got)}, "
                            f"expected {sorted(expected)}")

shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
