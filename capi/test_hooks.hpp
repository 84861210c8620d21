// Failure injection for tests, kept out of the release library. The C ABI's guard calls
// throw_if_provoked() on every call; libcalsync links the empty one (no_test_hooks.cpp),
// libcalsync_test_hooks, built for tests only (CMake option CALSYNC_TEST_HOOKS), the one
// that reads an environment variable and throws in the function it names, so the tests can
// prove no exception crosses the ABI. The release library reads no variable and does not
// even hold its name.
#pragma once

namespace calsync::capi {

void throw_if_provoked(const char* function);

}  // namespace calsync::capi
