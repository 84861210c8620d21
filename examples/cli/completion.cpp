#include "completion.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <optional>
#include <sstream>

#include "client_session.hpp"
#include "exit_codes.hpp"

namespace cli {
namespace {

bool is_option_char(char c) {
    return std::islower(static_cast<unsigned char>(c)) != 0 ||
           std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-';
}

// The placeholder after an option: "WHEN", "ID|NAME", "import|export|both"; "" when the
// next word is prose ("--json prints ...") or there is none.
std::string value_after(const std::string& text, std::size_t end) {
    if (end >= text.size() || text[end] != ' ')
        return {};
    std::size_t stop = end + 1;
    while (stop < text.size() && text[stop] != ' ' && text[stop] != '\n' && text[stop] != ']')
        ++stop;
    const std::string word = text.substr(end + 1, stop - end - 1);
    const bool placeholder = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '|';
    });
    const bool choices =
        word.find('|') != std::string::npos && std::all_of(word.begin(), word.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) != 0 || c == '|';
        });
    return placeholder || choices ? word : std::string{};
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, separator);)
        parts.push_back(part);
    return parts;
}

const HelpOption* find_option(const std::vector<HelpOption>& options, const std::string& name) {
    const auto it = std::find_if(options.begin(), options.end(),
                                 [&](const HelpOption& o) { return o.name == name; });
    return it == options.end() ? nullptr : &*it;
}

// What the words already typed say: the command, the words after it that are no
// option or option value, and the state the person named.
struct Typed {
    const Command* command = nullptr;
    std::size_t operands = 0;
    GlobalOptions globals;
};

class Completer {
  public:
    Completer(const std::vector<Command>& commands, const std::string& global_help)
        : commands_(commands), globals_(options_in(global_help)) {}

    std::vector<std::string> candidates(const std::vector<std::string>& words) const {
        const std::string current = words.empty() ? "" : words.back();
        const std::vector<std::string> before(words.begin(), words.end() - (words.empty() ? 0 : 1));
        const Typed typed = read(before);
        if (!before.empty()) {
            const auto o = option_of(typed.command, before.back());
            if (o && !o->value.empty())
                return values_of(*o, typed);
        }
        if (current.rfind('-', 0) == 0)
            return option_names(typed.command);
        if (typed.command == nullptr || std::string(typed.command->name) == "help")
            return command_names();
        auto subcommands = subcommands_in(typed.command->help, typed.command->name);
        if (typed.operands == 0 && !subcommands.empty())
            return subcommands;
        if (std::string(typed.command->help).find("CONNECTION") != std::string::npos)
            return connection_ids(typed);
        return {};
    }

  private:
    // The command's option `name`, else the global one.
    std::optional<HelpOption> option_of(const Command* command, const std::string& name) const {
        if (command != nullptr) {
            const auto own = options_in(command->help);
            if (const HelpOption* o = find_option(own, name))
                return *o;
        }
        if (const HelpOption* o = find_option(globals_, name))
            return *o;
        return std::nullopt;
    }

    Typed read(const std::vector<std::string>& before) const {
        Typed typed;
        for (std::size_t i = 0; i < before.size(); ++i) {
            const std::string& w = before[i];
            if (w.rfind('-', 0) == 0) {
                const auto o = option_of(typed.command, w);
                if (!o || o->value.empty() || i + 1 == before.size())
                    continue;
                if (w == "--state")
                    typed.globals.state_dir = before[i + 1];
                if (w == "--config")
                    typed.globals.config_file = before[i + 1];
                ++i;
            } else if (typed.command == nullptr) {
                const auto it = std::find_if(commands_.begin(), commands_.end(),
                                             [&](const Command& c) { return w == c.name; });
                if (it == commands_.end())
                    return typed;  // an unknown command: nothing to offer after it
                typed.command = &*it;
            } else {
                ++typed.operands;
            }
        }
        return typed;
    }

    static std::vector<std::string> values_of(const HelpOption& option, const Typed& typed) {
        if (option.name == "--connection")
            return connection_ids(typed);
        if (option.value.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
            return split(option.value, '|');
        return {};  // a file, a date, a name: the shell's own completion
    }

    std::vector<std::string> option_names(const Command* command) const {
        std::vector<std::string> names;
        if (command != nullptr) {
            for (const HelpOption& o : options_in(command->help))
                names.push_back(o.name);
        }
        for (const HelpOption& o : globals_) {
            if (std::find(names.begin(), names.end(), o.name) == names.end())
                names.push_back(o.name);
        }
        return names;
    }

    std::vector<std::string> command_names() const {
        std::vector<std::string> names;
        for (const Command& c : commands_)
            names.emplace_back(c.name);
        return names;
    }

    // The ids in the state, read without the network; none when there is no state.
    static std::vector<std::string> connection_ids(const Typed& typed) {
        try {
            // A completion leaves no trace: no store is made where none is.
            if (access(locate_state(typed.globals).store().c_str(), F_OK) != 0)
                return {};
            Session session(typed.globals, StateUse::existing);
            return session.active_ids();
        } catch (...) {
            return {};
        }
    }

    const std::vector<Command>& commands_;
    std::vector<HelpOption> globals_;
};

}  // namespace

std::vector<HelpOption> options_in(const std::string& help) {
    std::vector<HelpOption> options;
    const auto add = [&options](const std::string& name, const std::string& value) {
        auto known = std::find_if(options.begin(), options.end(),
                                  [&](const HelpOption& o) { return o.name == name; });
        if (known == options.end())
            options.push_back({name, value});
        else if (known->value.empty())
            known->value = value;
    };
    bool in_usage = true;  // the first paragraph
    for (const std::string& line : split(help, '\n')) {
        if (line.empty())
            in_usage = false;
        // Prose may name another command's option ("runs `blocked --ics`"): only the usage
        // and the lines of an option list ("  --from, --to   the window") are read.
        const std::size_t first = line.find_first_not_of(' ');
        if (!in_usage && (first == std::string::npos || line.compare(first, 2, "--") != 0))
            continue;
        for (std::size_t at = line.find("--"); at != std::string::npos;
             at = line.find("--", at + 2)) {
            const bool starts_word =
                at == 0 || std::string(" [(|").find(line[at - 1]) != std::string::npos;
            std::size_t end = at + 2;
            while (end < line.size() && is_option_char(line[end]))
                ++end;
            const std::string name = line.substr(at, end - at);
            // "--ignore-*" names a family, not an option; "--" alone ends the options.
            if (starts_word && name.size() > 2 && name.back() != '-' &&
                std::islower(static_cast<unsigned char>(name[2])) != 0)
                add(name, value_after(line, end));
        }
    }
    return options;
}

std::vector<std::string> subcommands_in(const std::string& help, const std::string& command) {
    std::vector<std::string> words;
    for (const std::string& line : split(help, '\n')) {
        const std::string lead = "calsync " + command + " ";
        const std::size_t at = line.find(lead);
        const bool usage_line = at != std::string::npos && (line.rfind("usage: ", 0) == 0 ||
                                                            line.find_first_not_of(' ') == at);
        if (!usage_line)
            continue;
        std::istringstream rest(line.substr(at + lead.size()));
        std::string word;
        rest >> word;
        const bool fixed = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) != 0;
        });
        if (fixed && std::find(words.begin(), words.end(), word) == words.end())
            words.push_back(word);
    }
    return words;
}

int run_complete(const std::vector<std::string>& words, const std::vector<Command>& commands,
                 const std::string& global_help) {
    try {
        for (const std::string& candidate : Completer(commands, global_help).candidates(words))
            std::cout << candidate << "\n";
    } catch (...) {
        // A completion says nothing rather than an error in the middle of a command line.
    }
    return kExitOk;
}

}  // namespace cli
