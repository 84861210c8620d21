// The words after the command name, taken apart option by option. Each command asks for
// the options it knows; whatever is left that looks like an option is a usage error, so a
// typo never silently does something else.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cli {

class CommandLine {
  public:
    // "--from=2026-06-01" is read as "--from" "2026-06-01". Words after "--" are operands,
    // never options (a calendar named "-Work-").
    explicit CommandLine(std::vector<std::string> words);

    // Whether the word is there; takes nothing.
    bool has(const std::string& name) const;
    // Takes every occurrence of a flag; true when there was one.
    bool flag(const std::string& name);
    // Takes the option and its value; the last one wins. A missing value is a UsageError.
    std::optional<std::string> value(const std::string& name);
    // Takes every occurrence, in order.
    std::vector<std::string> values(const std::string& name);
    // The first word, when it is not an option ("connect caldav ...", "appointments list").
    std::optional<std::string> take_subcommand();
    // A required option.
    std::string required(const std::string& name, const std::string& what_for);

    // The words left once every option was taken; an unknown option is a UsageError.
    // Call it last.
    std::vector<std::string> positionals();
    // positionals(), with at most `max` of them.
    std::vector<std::string> positionals(std::size_t max, const std::string& command);

    // The command's one operand (positionals() with at most one): a UsageError
    // "COMMAND: MISSING" when there is none.
    std::string operand(const std::string& command, const std::string& missing);

    // --password and friends: secrets never come as arguments (shell history and process
    // lists show them).
    void refuse_secret_options();

  private:
    // The options the command asked for: an unknown option is matched against them.
    void asked(const std::string& name) { known_.push_back(name); }

    std::vector<std::string> words_;
    std::vector<std::string> operands_;  // after "--"
    std::vector<std::string> known_;
};

// The candidate closest to a mistyped `word` (edit distance, at most a third of its
// length), or "" when none is close: "sycn" -> "sync".
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'sync'?)", or "" when no candidate is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// "90", "90m", "1h", "1h30m", "45s" -> seconds; UsageError otherwise.
long long parse_duration(const std::string& text, const std::string& option);

}  // namespace cli
