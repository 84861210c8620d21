#include "sync/sync_cursor.hpp"

#include <sstream>

namespace calsync::sync {
namespace {

// "calsync-cursor/2 <window end> <last full read>\n<provider cursor>" (Unix seconds);
// version 1 had no last full read.
constexpr const char* kPrefix = "calsync-cursor/2 ";
constexpr const char* kPrefixV1 = "calsync-cursor/1 ";

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

SyncCursor parse_sync_cursor(const std::string& stored) {
    const bool v2 = starts_with(stored, kPrefix);
    const auto newline = stored.find('\n');
    if ((!v2 && !starts_with(stored, kPrefixV1)) || newline == std::string::npos)
        return {};  // not one of ours: begin again
    std::istringstream head(stored.substr(0, newline));
    std::string version;
    std::int64_t end = 0;
    std::int64_t full = 0;
    head >> version >> end;
    if (v2)
        head >> full;
    if (head.fail())
        return {};
    return {stored.substr(newline + 1), instant_from_unix(end), instant_from_unix(full)};
}

std::string format_sync_cursor(const SyncCursor& cursor) {
    if (cursor.provider_cursor.empty())
        return {};
    return kPrefix + std::to_string(to_unix(cursor.window_end)) + " " +
           std::to_string(to_unix(cursor.last_full)) + "\n" + cursor.provider_cursor;
}

}  // namespace calsync::sync
