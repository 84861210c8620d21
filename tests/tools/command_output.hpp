// Runs a command a test uses as an independent witness (a Python reader of what calsync
// wrote) and collects its standard output and exit status.
#pragma once

#include <cstdio>
#include <string>

namespace calsync::test {

struct CommandOutput {
    std::string out;
    int status = -1;  // pclose's; -1 when the command could not be started
};

inline CommandOutput run_command(const std::string& command) {
    CommandOutput result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        return result;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        result.out.append(buffer, n);
    result.status = pclose(pipe);
    return result;
}

}  // namespace calsync::test
