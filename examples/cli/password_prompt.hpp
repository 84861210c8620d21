// Secrets for the command line: from an environment variable, else asked for on the
// terminal with echo off. Never from an argument (shell history, process lists).
#pragma once

#include <string>

namespace cli {

// $env_var when set and not empty; else a no-echo prompt on /dev/tty. A UsageError when
// there is neither (no terminal: a script must set the variable).
std::string read_secret(const char* env_var, const std::string& prompt);

// The account password: $CALSYNC_PASSWORD or the prompt "Password for USER: ".
std::string read_password(const std::string& user);

}  // namespace cli
