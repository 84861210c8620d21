#include "password_prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "exit_codes.hpp"

namespace cli {

std::string read_secret(const char* env_var, const std::string& prompt) {
    if (const char* env = std::getenv(env_var); env != nullptr && *env != '\0')
        return env;
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr)
        throw UsageError{std::string("no secret given: set ") + env_var +
                         " or run calsync on a terminal"};
    std::fprintf(tty, "%s", prompt.c_str());
    std::fflush(tty);
    termios saved{};
    const bool is_terminal = tcgetattr(fileno(tty), &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    char line[1024];
    const bool got = std::fgets(line, sizeof line, tty) != nullptr;
    if (is_terminal)
        tcsetattr(fileno(tty), TCSAFLUSH, &saved);
    std::fprintf(tty, "\n");
    std::fclose(tty);
    if (!got)
        throw UsageError{"nothing was typed at the prompt"};
    std::string secret(line);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
        secret.pop_back();
    return secret;
}

std::string read_password(const std::string& user) {
    return read_secret("CALSYNC_PASSWORD", "Password for " + user + ": ");
}

}  // namespace cli
