"""What the CLI's scripted sessions share: running the calsync program as a person would
(no terminal, no standard input unless given) and collecting what went wrong."""
import subprocess
import sys


class Runner:
    def __init__(self, cli, env):
        self.cli = cli
        self.env = env
        self.problems = []
        self.outputs = []  # every stdout + stderr, to look for leaked secrets

    def run(self, *args, expect=0, env=None, stdin=None, label=None):
        """Runs `calsync ARGS`; `env` adds to (None: removes from) the environment."""
        full = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        # A new session has no controlling terminal, so no prompt can open one.
        done = subprocess.run([self.cli, *args], capture_output=True, text=True, env=full,
                              input=stdin, start_new_session=True,
                              stdin=None if stdin is not None else subprocess.DEVNULL)
        self.outputs.append(done.stdout + done.stderr)
        if done.returncode != expect:
            self.problems.append(
                f"{label or args}: exit {done.returncode}, expected {expect}\n"
                f"  stdout: {done.stdout[-800:]}\n  stderr: {done.stderr[-800:]}")
        return done

    def expect_in(self, text, needle, label):
        if needle not in text:
            self.problems.append(f"{label}: {needle!r} not in:\n{text}")

    def finish(self):
        if self.problems:
            print("\n\n".join(self.problems))
            sys.exit(1)
        print("ok")
