// The calsync program's date, time and duration parsing (examples/cli): what a person types
// after --from, --to, --duration and --step, and the RFC 3339 times it reads back from the
// library. The program's own files are built into this target (command_line.cpp,
// business_time.cpp, output.cpp), as it parses in them.
//
// Input: one letter for the parser ("d" parse_duration, "w" a --from/--to bound, "u"
// parse_utc, "l" local_time), then the text.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

#include "business_time.hpp"
#include "command_line.hpp"
#include "exit_codes.hpp"
#include "fuzz_support.hpp"
#include "output.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cli::use_zone("Europe/Berlin");  // as `calsync --tz Europe/Berlin` does
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using calsync::fuzz::broken;
    const calsync::fuzz::Mode mode =
        calsync::fuzz::pick_mode(calsync::fuzz::text_of(data, size), "dwul");
    const std::string text(mode.rest);
    switch (mode.index) {
        case 0:
            try {
                if (cli::parse_duration(text, "--duration") <= 0)
                    broken("parse_duration accepted a duration that is not positive");
            } catch (const cli::UsageError&) {
            }
            break;
        case 1:
            try {
                // A bound reads its own RFC 3339 form back as the same instant.
                const cli::WindowBound bound(text, "--from");
                const calsync::Instant at = bound.instant();
                if (cli::WindowBound(bound.rfc3339(), "--from").instant() != at)
                    broken("a --from bound does not read its own form back: " + bound.rfc3339());
            } catch (const cli::UsageError&) {
            }
            break;
        case 2: {
            // What parse_utc reads, written back in UTC, reads as the same instant (within
            // the four-digit years RFC 3339 has).
            const std::time_t t = cli::parse_utc(text);
            if (t < 0)
                break;
            std::tm utc{};
            char again[64];
            if (gmtime_r(&t, &utc) == nullptr || utc.tm_year + 1900 < 1000 ||
                utc.tm_year + 1900 > 9999 ||
                std::strftime(again, sizeof again, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
                break;
            if (cli::parse_utc(again) != t)
                broken("parse_utc does not read its own UTC form back: " + std::string(again));
            break;
        }
        default:
            (void)cli::local_time(text);
            break;
    }
    return 0;
}
