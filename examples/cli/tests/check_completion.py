"""The bash completion (issue 15 item 15), sourced in bash and driven as bash drives it:
COMP_WORDS and COMP_CWORD set, the completion function called, COMPREPLY read back.
Commands, each command's options, fixed words (connect's kinds, --direction's values) and
the connection ids of the state (a feed connected from tests/fakes/fault_server.py).

  check_completion.py CLI COMPLETION_FILE FAULT_SERVER DATA_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from cli_runner import Runner

cli, completion, fault_server, data = sys.argv[1:5]
scratch = tempfile.mkdtemp(prefix="calsync-cli-completion-")
state = os.path.join(scratch, "state")
env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
env.update(HOME=scratch, CALSYNC_STATE_DIR=state,
           PATH=os.path.dirname(os.path.abspath(cli)) + os.pathsep + env.get("PATH", ""))
runner = Runner(cli, env)
problems = runner.problems

DRIVER = r"""
source "$1"; shift
complete -p calsync | grep -q -- '-F _calsync' || { echo "calsync has no completion" >&2; exit 1; }
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_calsync calsync "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def complete(line):
    """COMPREPLY for a command line whose cursor is at its end ("calsync sy")."""
    words = line.split(" ")
    done = subprocess.run(["bash", "--norc", "-c", DRIVER, "driver", completion, *words],
                          env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        problems.append(f"'{line}<TAB>': bash exited {done.returncode}: {done.stderr.strip()}")
    return [w for w in done.stdout.split("\n") if w]


def expect(line, wanted):
    got = complete(line)
    if got != wanted:
        problems.append(f"'{line}<TAB>' completes to {got}, expected {wanted}")


def expect_among(line, wanted):
    got = complete(line)
    missing = [w for w in wanted if w not in got]
    if missing:
        problems.append(f"'{line}<TAB>' offers {got}: {missing} missing")
    return got


server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    # --- the two examples, and the command position after a global option
    expect("calsync sy", ["sync"])
    expect("calsync blocked --f", ["--from"])
    expect("calsync --state /nowhere sy", ["sync"])
    expect("calsync help bl", ["blocked"])
    # An option's value that is a file or a date: nothing offered, bash completes file names.
    expect("calsync blocked --ics ", [])
    expect("calsync blocked --from ", [])

    # --- fixed words: connect's kinds, appointments' actions, --direction's choices
    expect("calsync connect ", ["caldav", "icloud", "ics", "google", "microsoft"])
    expect("calsync appointments ", ["upsert", "cancel", "list"])
    expect("calsync select Workshop --direction ", ["import", "export", "both"])

    # --- a command's options are those its help names, and the global ones; every option
    # offered is one the command's or the overview's help documents
    overview = runner.run("--help").stdout
    commands = re.findall(r"^  ([a-z]+) ", overview.split("\ncommands:\n")[1], re.M)
    if len(commands) < 10:
        problems.append(f"`calsync --help` lists only {commands}")
    for command in commands:
        help_text = runner.run(command, "--help").stdout
        offered = complete(f"calsync {command} --")
        for option in offered:
            if not re.search(re.escape(option) + r"\b", help_text + overview):
                problems.append(f"'calsync {command} --<TAB>' offers {option}, "
                                "which no help documents")
        usage = [line for line in help_text.split("\n\n")[0].split("\n")]
        for option in re.findall(r"--[a-z][a-z-]*[a-z]", "\n".join(usage)):
            if option not in offered:
                problems.append(f"'calsync {command} --<TAB>' misses {option} of its usage")
    # Each option offered is one the command takes: given to it (a value where the help
    # writes one), it is never an unknown option. No state exists here, so nothing runs.
    # connect, caldav and appointments have forms with options of their own.
    for command in set(commands) - {"connect", "caldav", "appointments", "help"}:
        for option in complete(f"calsync {command} --"):
            takes_value = bool(complete(f"calsync {command} {option} ")) or re.search(
                re.escape(option) + r"[ =][A-Z]", runner.run(command, "--help").stdout)
            done = subprocess.run([cli, command, option] + (["x"] if takes_value else []),
                                  env=dict(env, CALSYNC_STATE_DIR=os.path.join(scratch, "none")),
                                  capture_output=True, text=True, timeout=60)
            if f"unknown option '{option}'" in done.stderr:
                problems.append(f"'calsync {command} --<TAB>' offers {option}, which "
                                f"calsync {command} refuses: {done.stderr.strip()}")
    expect_among("calsync select Workshop --", ["--direction", "--connection",
                                                 "--ignore-tentative", "--state", "--zone"])

    # --- connection ids from the state (none yet: nothing offered, no error)
    expect("calsync sync ", [])
    origin = f"http://127.0.0.1:{int(server.stdout.readline())}"
    feed = os.path.join(scratch, "personal.ics")
    shutil.copy(os.path.join(data, "personal.ics"), feed)
    runner.run("connect", "ics", f"{origin}/feed?file={feed}", "--id", "garage-feed",
               "--zone", "Europe/Berlin", "--allow-private-addresses")
    expect("calsync sync ", ["garage-feed"])
    expect("calsync status g", ["garage-feed"])
    expect("calsync feed --connection ", ["garage-feed"])
    # --state on the line is the state asked: another, empty one has no ids.
    os.makedirs(os.path.join(scratch, "other"))
    expect(f"calsync --state {scratch}/other sync ", [])
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(scratch, ignore_errors=True)
runner.finish()
