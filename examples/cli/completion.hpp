// The shell's completion, answered by the program itself: `calsync __complete WORD...`
// (the words after `calsync` up to the cursor, the last one the word being completed)
// prints the candidates, one a line, and the bash completion file
// (calsync.bash-completion) keeps those that start with the word. The options come from
// the help texts, the one place they are written (the man page is made from them too), so
// the completion cannot fall behind a command; connection ids come from the state.
#pragma once

#include <string>
#include <vector>

#include "commands.hpp"

namespace cli {

// An option as a help text writes it: "--from WHEN" (value "WHEN"), "--direction
// import|export|both" (value "import|export|both"), "--json" (no value).
struct HelpOption {
    std::string name;
    std::string value;  // "" for a flag
};

// Every option a help text's usage lines and option list name, in order of first mention;
// an option written once with a value takes one.
std::vector<HelpOption> options_in(const std::string& help);

// The fixed words a command's usage lines put first ("usage: calsync connect caldav URL",
// "       calsync connect ics URL" -> caldav, ics).
std::vector<std::string> subcommands_in(const std::string& help, const std::string& command);

// Prints the candidates for the last of `words`; never fails (a completion that cannot
// read the state offers no ids).
int run_complete(const std::vector<std::string>& words, const std::vector<Command>& commands,
                 const std::string& global_help);

}  // namespace cli
