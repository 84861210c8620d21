#include "command_line.hpp"

#include <algorithm>
#include <cctype>

#include "core/edit_distance.hpp"
#include "exit_codes.hpp"

namespace cli {

CommandLine::CommandLine(std::vector<std::string> words) {
    const auto end_of_options = std::find(words.begin(), words.end(), "--");
    if (end_of_options != words.end()) {
        operands_.assign(std::make_move_iterator(end_of_options + 1),
                         std::make_move_iterator(words.end()));
        words.erase(end_of_options, words.end());
    }
    for (std::string& w : words) {
        const auto eq = w.find('=');
        if (w.rfind("--", 0) == 0 && eq != std::string::npos) {
            words_.push_back(w.substr(0, eq));
            words_.push_back(w.substr(eq + 1));
        } else {
            words_.push_back(std::move(w));
        }
    }
}

bool CommandLine::has(const std::string& name) const {
    return std::find(words_.begin(), words_.end(), name) != words_.end();
}

bool CommandLine::flag(const std::string& name) {
    asked(name);
    bool seen = false;
    for (auto it = words_.begin(); it != words_.end();) {
        if (*it == name) {
            it = words_.erase(it);
            seen = true;
        } else {
            ++it;
        }
    }
    return seen;
}

std::vector<std::string> CommandLine::values(const std::string& name) {
    asked(name);
    std::vector<std::string> out;
    for (auto it = words_.begin(); it != words_.end();) {
        if (*it != name) {
            ++it;
            continue;
        }
        if (it + 1 == words_.end())
            throw UsageError{"option " + name + " needs a value"};
        out.push_back(*(it + 1));
        it = words_.erase(it, it + 2);
    }
    return out;
}

std::optional<std::string> CommandLine::value(const std::string& name) {
    auto all = values(name);
    if (all.empty())
        return std::nullopt;
    return all.back();
}

std::optional<std::string> CommandLine::take_subcommand() {
    if (words_.empty() && !operands_.empty()) {
        std::string first = operands_.front();
        operands_.erase(operands_.begin());
        return first;
    }
    if (words_.empty() || words_.front().rfind('-', 0) == 0)
        return std::nullopt;
    std::string first = words_.front();
    words_.erase(words_.begin());
    return first;
}

std::string CommandLine::required(const std::string& name, const std::string& what_for) {
    auto v = value(name);
    if (!v)
        throw UsageError{what_for + ": " + name + " is required"};
    return *v;
}

std::vector<std::string> CommandLine::positionals() {
    const auto option = std::find_if(words_.begin(), words_.end(), [](const std::string& w) {
        return w.size() > 1 && w[0] == '-';
    });
    if (option != words_.end())
        throw UsageError{"unknown option '" + *option + "'" + did_you_mean(*option, known_)};
    std::vector<std::string> all = words_;
    all.insert(all.end(), operands_.begin(), operands_.end());
    return all;
}

std::vector<std::string> CommandLine::positionals(std::size_t max, const std::string& command) {
    auto words = positionals();
    if (words.size() > max)
        throw UsageError{command + ": unexpected argument '" + words[max] + "'"};
    return words;
}

std::string CommandLine::operand(const std::string& command, const std::string& missing) {
    auto words = positionals(1, command);
    if (words.empty())
        throw UsageError{command + ": " + missing};
    return words.front();
}

void CommandLine::refuse_secret_options() {
    const bool secret = std::any_of(words_.begin(), words_.end(), [](const std::string& w) {
        return w.rfind("--password", 0) == 0 || w.rfind("--client-secret", 0) == 0 ||
               w.rfind("--token", 0) == 0;
    });
    if (secret)
        throw UsageError{
            "a secret is never an argument (shell history and process lists would show "
            "it): set CALSYNC_PASSWORD or answer the prompt (an OAuth client secret: "
            "CALSYNC_GOOGLE_CLIENT_SECRET, CALSYNC_MICROSOFT_CLIENT_SECRET or the "
            "config file)"};
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
    // Words typed on a command line are short; a longer one is no typo of these.
    if (word.size() > 64)
        return {};
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
    for (const std::string& c : candidates) {
        const std::size_t d = calsync::edit_distance(word, c);
        if (d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string best = closest(word, candidates);
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

long long parse_duration(const std::string& text, const std::string& option) {
    const auto bad = [&] {
        return UsageError(option + ": expected a duration such as 90m, 1h or 1h30m, not '" + text +
                          "'");
    };
    long long total = 0;
    std::size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        std::size_t digits = i;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
            ++digits;
        if (digits == i || digits - i > 6)
            throw bad();
        const long long n = std::stoll(text.substr(i, digits - i));
        long long unit = 60;  // a bare number is minutes
        if (digits < text.size()) {
            switch (text[digits]) {
                case 'h':
                    unit = 3600;
                    break;
                case 'm':
                    unit = 60;
                    break;
                case 's':
                    unit = 1;
                    break;
                default:
                    throw bad();
            }
            ++digits;
        } else if (any) {
            throw bad();  // "1h30" is ambiguous
        }
        total += n * unit;
        any = true;
        i = digits;
    }
    if (!any || total <= 0)
        throw bad();
    return total;
}

}  // namespace cli
