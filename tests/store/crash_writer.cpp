// Runs the crash test's steps on the SQLite store at argv[1], from where the file stopped,
// until killed; prints each step number once its transaction has committed.
#include <cstdio>

#include "crash_steps.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: store_crash_writer DATABASE\n");
        return 2;
    }
    auto store = calsync::open_sqlite_store(argv[1]);
    if (!store.ok()) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    calsync::StateStore& s = *store.value();
    auto ready = calsync::test::ensure_crash_calendar(s);
    if (!ready.ok()) {
        std::fprintf(stderr, "%s\n", ready.error().message.c_str());
        return 1;
    }
    for (int k = calsync::test::crash_step_reached(s) + 1;; ++k) {
        auto done = calsync::test::run_crash_step(s, k);
        if (!done.ok()) {
            std::fprintf(stderr, "step %d: %s\n", k, done.error().message.c_str());
            return 1;
        }
        std::printf("%d\n", k);
        std::fflush(stdout);
    }
}
