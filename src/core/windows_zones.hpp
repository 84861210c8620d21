// Windows time-zone names (what Outlook, Exchange and Graph write, "W. Europe Standard Time")
// as IANA names, through CLDR's windowsZones table (generated at build time from Debian's
// unicode-cldr-core by cmake/generate_windows_zones.cmake). Graph events and iCalendar TZIDs
// without a VTIMEZONE both map through it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace calsync {

struct WindowsZone {
    const char* windows;
    const char* iana;  // CLDR's default (territory 001) zone for that Windows name
};

// The generated table, one entry per Windows name.
extern const WindowsZone kWindowsZones[];
extern const std::size_t kWindowsZoneCount;

// The IANA zone for a Windows zone name, or nullopt when CLDR does not know the name.
// Matching is exact: Windows names are fixed strings.
std::optional<std::string> iana_from_windows(std::string_view windows_name);

}  // namespace calsync
