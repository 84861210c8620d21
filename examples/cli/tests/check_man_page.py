"""The calsync(1) manual page (issue 15 item 15) renders without a warning and documents
what the program says: every command `calsync --help` lists has a subsection in COMMANDS
with its usage, the global options and the exit status are there, and options read as
typed (ASCII hyphens, so they can be copied).

  check_man_page.py CLI MAN_PAGE
"""
import os
import re
import subprocess
import sys

cli, page = sys.argv[1:3]
problems = []


def run(*argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kwargs)


# groff, warnings on: a request or escape help2man or man_page.cmake got wrong shows here.
rendered = run("groff", "-man", "-Tutf8", "-ww", "-P-cbou", page)
if rendered.returncode != 0 or rendered.stderr:
    problems.append(f"groff: exit {rendered.returncode}: {rendered.stderr.strip()}")
text = rendered.stdout
# man -l, as a person reads it (no pager: the output is not a terminal).
env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="100")
shown = run("man", "-l", page, env=env)
if shown.returncode != 0 or "COMMANDS" not in shown.stdout:
    problems.append(f"man -l {page}: exit {shown.returncode}: {shown.stderr.strip()}")


def squeezed(s):
    return " ".join(s.split())


flat = squeezed(text)
for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS"):
    if not re.search(rf"^{heading}$", text, re.M):
        problems.append(f"no {heading} section")
version = run(cli, "--version").stdout.split()[-1]
if version not in text:
    problems.append(f"the version {version} is not in the page")

overview = run(cli, "--help").stdout
commands = re.findall(r"^  ([a-z]+) ", overview.split("\ncommands:\n")[1], re.M)
if len(commands) < 10:
    problems.append(f"`calsync --help` lists only {commands}")
section = text.split("\nCOMMANDS\n", 1)[-1]
for command in commands:
    if not re.search(rf"^   {command}$", section, re.M):
        problems.append(f"COMMANDS has no subsection '{command}'")
    usage = run(cli, command, "--help").stdout.split("\n\n")[0]
    if squeezed(usage) not in flat:
        problems.append(f"the usage of {command} is not in the page:\n{usage}")
for words in ("--allow-private-addresses", "--state DIR", "exit status", "usage error"):
    if words not in flat:
        problems.append(f"'{words}' is not in the page")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(commands)} commands in {page}")
