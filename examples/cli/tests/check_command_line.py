"""A mistyped command line as gcalcli and khal users expect it (issue 15 item 12): one line
on stderr with a "did you mean" (not a page of help), exit 2; `--` ends the options; counts
in the singular when there is one; messages without the library's internal names.

  check_command_line.py CLI DATA_DIR
"""
import os
import shutil
import sys
import tempfile

from cli_runner import Runner

cli, data = sys.argv[1:3]
scratch = tempfile.mkdtemp(prefix="calsync-cli-line-")
env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
env.update(HOME=scratch, CALSYNC_STATE_DIR=os.path.join(scratch, "state"))
runner = Runner(cli, env)
run, expect_in, problems = runner.run, runner.expect_in, runner.problems
personal = os.path.join(data, "personal.ics")

# --- typos: one line, the closest word suggested
for args, suggestion in [
        (("sycn", "--all"), "unknown command 'sycn' (did you mean 'sync'?)"),
        (("blokced",), "unknown command 'blokced' (did you mean 'blocked'?)"),
        (("help", "dotcor"), "unknown command 'dotcor' (did you mean 'doctor'?)"),
        (("blocked", "--form", "2026-06-01", "--to", "2026-06-02"),
         "unknown option '--form' (did you mean '--from'?)"),
        (("free", "--from", "2026-06-01", "--to", "2026-06-02", "--duraton", "1h"),
         "unknown option '--duraton' (did you mean '--duration'?)"),
        (("connect", "icss", "https://example.com/a.ics"),
         "unknown service 'icss' (did you mean 'ics'?)"),
        (("appointments", "lsit"), "(did you mean 'list'?)"),
        (("frobnicate",), "unknown command 'frobnicate'; see calsync --help")]:
    done = run(*args, expect=2, label=args)
    expect_in(done.stderr, suggestion, f"{args}")
    if len(done.stderr.strip().splitlines()) != 1:
        problems.append(f"{args}: not one line on stderr:\n{done.stderr}")
    if done.stdout:
        problems.append(f"{args}: printed on stdout:\n{done.stdout}")
done = run("blocked", "--bogus", expect=2)
if "did you mean" in done.stderr:
    problems.append(f"a suggestion for a word close to nothing: {done.stderr}")

# --- `--` ends the options: an id that starts with a dash is an operand
run("appointments", "upsert", os.path.join(data, "appointments.json"))
done = run("appointments", "cancel", "--", "-a-1", expect=4)
expect_in(done.stderr, "no appointment '-a-1'", "cancel -- -a-1")
done = run("blocked", "--ics", personal, "--from", "2026-06-02", "--to", "2026-06-03",
           "--tz", "Europe/Berlin", "--", "extra", expect=2)
expect_in(done.stderr, "unexpected argument 'extra'", "an operand after --")

# --- one of a thing is not "1 things"
table = run("blocked", "--ics", personal, "--from", "2026-06-02", "--to", "2026-06-03",
            "--tz", "Europe/Berlin").stdout
expect_in(table, "\n1 blocked slot; 1 busy interval, 1h 00m in total", "one slot")
table = run("blocked", "--ics", personal, "--from", "2026-06-01", "--to", "2026-06-15",
            "--tz", "Europe/Berlin").stdout
expect_in(table, " blocked slots; ", "several slots")

# --- messages in words, without the library's internal names
internal = ("get_appointment", "business_zone", "put_appointment", "get_connection")
outputs = []
outputs.append(run("appointments", "cancel", "no-such-appointment", expect=4).stderr)
outputs.append(run("status", "--zone", "Mars/Olympus_Mons", expect=2).stderr)
expect_in(outputs[-1], "member \"zone\": ", "an unknown zone names the config member")
for text in outputs:
    for name in internal:
        if name in text:
            problems.append(f"an internal name {name!r} in: {text}")

shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
