// `calsync google connect|calendars|events`: sign in to Google Calendar with a loopback
// redirect and PKCE, keep the tokens sealed in a file, list calendars, show blocked slots.
#pragma once

namespace calsync_cli {

// argv[1] is "google"; returns the exit status (throws UsageError for bad options).
int run_google(int argc, char** argv);

}  // namespace calsync_cli
