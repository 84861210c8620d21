"""Runs a fake server (its script and arguments follow) with every thread under cProfile,
and writes the merged profile when the server is stopped (SIGTERM): the busiest functions
by own time and by cumulative time, to $FAKE_PROFILE_OUT.<script>.txt. The fleet driver
runs its fakes through it with FLEET_FAKE_WRAPPER=tests/bench/profile_fake.py.

cProfile counts wall time: a handler thread blocked reading the next request on a
kept-alive connection shows as socket recv_into; read the handlers' own functions.
"""
import cProfile
import os
import pstats
import runpy
import signal
import sys
import threading

OUT = os.environ.get("FAKE_PROFILE_OUT", "fake-profile") + "." + os.path.basename(sys.argv[1]) \
    + ".txt"
profiles = []
lock = threading.Lock()
thread_run = threading.Thread.run


def profiled_run(self):
    profile = cProfile.Profile()
    with lock:
        profiles.append(profile)
    profile.enable()
    try:
        thread_run(self)
    finally:
        profile.disable()


def dump(*_):
    with lock:
        for profile in profiles:
            profile.disable()
        stats = None
        for profile in profiles:
            try:
                if stats is None:
                    stats = pstats.Stats(profile)
                else:
                    stats.add(profile)
            except TypeError:  # a thread that never ran any Python code
                pass
    with open(OUT, "w") as f:
        if stats is not None:
            stats.stream = f
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(60)
    os._exit(0)


threading.Thread.run = profiled_run
signal.signal(signal.SIGTERM, dump)
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
