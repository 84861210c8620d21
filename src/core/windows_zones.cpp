#include "core/windows_zones.hpp"

#include <unordered_map>

namespace calsync {

std::optional<std::string> iana_from_windows(std::string_view windows_name) {
    // Built once (thread-safe static initialisation); 139 names in CLDR 41.
    static const std::unordered_map<std::string_view, const char*> by_name = [] {
        std::unordered_map<std::string_view, const char*> m;
        for (std::size_t i = 0; i < kWindowsZoneCount; ++i)
            m.emplace(kWindowsZones[i].windows, kWindowsZones[i].iana);
        return m;
    }();
    auto it = by_name.find(windows_name);
    if (it == by_name.end())
        return std::nullopt;
    return std::string(it->second);
}

}  // namespace calsync
