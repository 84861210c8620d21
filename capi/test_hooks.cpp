// The test library's hook (see test_hooks.hpp): CALSYNC_TEST_THROW_IN=<function> makes that
// C ABI function throw inside its guard.
#include "test_hooks.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace calsync::capi {

void throw_if_provoked(const char* function) {
    const char* target = std::getenv("CALSYNC_TEST_THROW_IN");
    if (target != nullptr && std::strcmp(target, function) == 0)
        throw std::runtime_error("provoked by CALSYNC_TEST_THROW_IN");
}

}  // namespace calsync::capi
