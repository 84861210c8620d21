#!/bin/sh
# The two entry points of the README, for a fresh Debian 12 machine:
#   sh cmake/run.sh demo   install packages, build, run the CLI demo: a local Radicale with
#                          the bundled calendars, connected, synced, appointments exported
#   sh cmake/run.sh test   install packages, build, run every test (release, then ASan+UBSan,
#                          then the thread tests under ThreadSanitizer, then every fuzz
#                          target for a few seconds: tests/fuzz/README.md)
# and a third, documented below them:
#   sh cmake/run.sh web    install packages, build the library, install the Python package
#                          into a venv, start the web example (examples/web) against a
#                          local Radicale and the Google and Graph fakes; Ctrl-C stops all
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

STARTED=$(date +%s)
# Each step's header says how long the run has taken so far: CI's log then shows what each
# stage costs.
step() { printf '\n=== %s (at %ds) ===\n' "$*" "$(($(date +%s) - STARTED))"; }

build() {
  step "configure and build ($1)"
  cmake --preset "$1"
  cmake --build --preset "$1" -j "$JOBS"
}

case "${1:-}" in
  demo)
    step "install Debian packages"
    sh cmake/install-deps.sh
    build release
    step "demo: the calsync program against a local CalDAV server with the sample calendars"
    /usr/bin/python3 examples/cli/demo_radicale.py ./build/release/examples/cli/calsync
    ;;
  test)
    step "install Debian packages"
    sh cmake/install-deps.sh
    build release
    step "tests (release)"
    ctest --preset release -j "$JOBS" --output-on-failure
    build asan
    step "tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
    ctest --preset asan -j "$JOBS" --output-on-failure
    step "configure and build (tsan: the thread tests only)"
    cmake --preset tsan
    cmake --build --preset tsan -j "$JOBS" --target calsync_capi_thread_tests calsync_sync_tests
    step "tests (ThreadSanitizer: the client ABI from many threads, the sync service)"
    ctest --preset tsan -j "$JOBS" --output-on-failure -L "threads|sync"
    build fuzz
    step "fuzzing (libFuzzer, clang: every target briefly from its corpus and regressions)"
    ctest --preset fuzz -j "$JOBS" --output-on-failure -L fuzz
    step "every test passed"
    ;;
  web)
    step "install Debian packages"
    sh cmake/install-deps.sh
    step "configure and build (release: the library only)"
    cmake --preset release
    cmake --build --preset release -j "$JOBS" --target calsync
    step "install the Python package into build/release/examples/python/venv"
    cmake -DPYTHON=/usr/bin/python3 -DSOURCE=examples/python \
          -DWORK=build/release/examples/python -P examples/python/install_into_venv.cmake
    step "web demo: examples/web against a local Radicale and the Google and Graph fakes"
    CALSYNC_LIBRARY="$PWD/build/release/libcalsync.so" \
      exec build/release/examples/python/venv/bin/python examples/web/demo.py
    ;;
  *)
    echo "usage: sh cmake/run.sh demo|test|web" >&2
    exit 2
    ;;
esac
