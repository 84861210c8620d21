// `calsync microsoft ...` (microsoft_cmd.cpp).
#pragma once

namespace calsync_cli {

// argv[1] is "microsoft"; throws UsageError for bad options.
int run_microsoft(int argc, char** argv);

}  // namespace calsync_cli
