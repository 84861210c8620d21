"""Starts tests/fakes/fault_server.py (the fake the C ABI tests use: an ICS feed, OAuth
authorization, token and device endpoints) on a free 127.0.0.1 port for one test.

Its path is in CALSYNC_FAULT_SERVER (ctest sets it)."""
import os
import subprocess
import sys


class FaultServer:
    def __enter__(self):
        script = os.environ.get("CALSYNC_FAULT_SERVER")
        if not script:
            raise RuntimeError("CALSYNC_FAULT_SERVER is not set: run this test through ctest")
        self._process = subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE,
                                         text=True)
        self.port = int(self._process.stdout.readline())
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        self._process.terminate()
        self._process.wait()
        self._process.stdout.close()
