// The release library's test hook: nothing (see test_hooks.hpp).
#include "test_hooks.hpp"

namespace calsync::capi {

void throw_if_provoked(const char*) {}

}  // namespace calsync::capi
