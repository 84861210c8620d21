#include "sync/sync_cursor.hpp"

namespace calsync::sync {
namespace {

constexpr const char* kPrefix = "calsync-cursor/1 ";

}  // namespace

SyncCursor parse_sync_cursor(const std::string& stored) {
    const std::string prefix = kPrefix;
    const auto newline = stored.find('\n');
    if (stored.compare(0, prefix.size(), prefix) != 0 || newline == std::string::npos)
        return {};  // not one of ours: begin again
    try {
        const std::int64_t end = std::stoll(stored.substr(prefix.size(), newline - prefix.size()));
        return {stored.substr(newline + 1), instant_from_unix(end)};
    } catch (const std::exception&) {
        return {};
    }
}

std::string format_sync_cursor(const SyncCursor& cursor) {
    if (cursor.provider_cursor.empty())
        return {};
    return kPrefix + std::to_string(to_unix(cursor.window_end)) + "\n" + cursor.provider_cursor;
}

}  // namespace calsync::sync
