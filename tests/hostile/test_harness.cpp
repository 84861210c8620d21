// The harness itself: it must see a hang, a crash and a memory bomb for what they are, or
// every bound test built on it could pass while the host suffers.
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "bounded_child.hpp"

using calsync::test::run_in_child;

TEST_CASE("harness: a verdict and small costs come back from the child", "[hostile]") {
    auto run = run_in_child([] { return std::string("refused"); });
    CHECK(run.finished);
    CHECK(run.verdict == "refused");
    CHECK(run.seconds < 5);
}

TEST_CASE("harness: a hang is killed at the hard limit and reported unfinished", "[hostile]") {
    auto run = run_in_child(
        [] {
            std::this_thread::sleep_for(std::chrono::seconds(30));
            return std::string("late");
        },
        std::chrono::seconds(1));
    CHECK_FALSE(run.finished);
    CHECK(run.signal == SIGKILL);
    CHECK(run.verdict.empty());
}

TEST_CASE("harness: a crash is reported with its signal", "[hostile]") {
    auto run = run_in_child([]() -> std::string {
        std::raise(SIGSEGV);
        return "survived";
    });
    CHECK(run.verdict.empty());
    // Under ASan its SEGV handler reports and aborts: another signal, or a failing exit.
    CHECK((run.signal != 0 || run.exit_code != 0));
}

TEST_CASE("harness: the child's peak memory is measured", "[hostile]") {
    auto run = run_in_child([] {
        std::vector<char> block(300u << 20);
        std::memset(block.data(), 1, block.size());
        return std::string(1, block[block.size() / 2] == 1 ? 'y' : 'n');
    });
    CHECK(run.verdict == "y");
    CHECK(run.peak_rss_mib >= 300);
}
