# Generates the Windows -> IANA zone table Microsoft Graph needs from CLDR's windowsZones.xml
# (Debian: unicode-cldr-core). Run by the build, never by hand:
#   cmake -DINPUT=<windowsZones.xml> -DOUTPUT=<table.cpp> -P generate_windows_zones.cmake
# CLDR's rule: the mapZone with territory "001" is the default zone for a Windows name;
# its `type` is a single IANA name.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "generate_windows_zones.cmake needs -DINPUT and -DOUTPUT")
endif()
file(STRINGS "${INPUT}" lines REGEX "<mapZone ")
set(entries "")
foreach(line IN LISTS lines)
  if(line MATCHES "other=\"([^\"]+)\"[ \t]+territory=\"001\"[ \t]+type=\"([^\" ]+)\"")
    list(APPEND entries "${CMAKE_MATCH_1}|${CMAKE_MATCH_2}")
  endif()
endforeach()
list(LENGTH entries count)
if(count LESS 100)
  message(FATAL_ERROR "${INPUT}: only ${count} default (001) mappings found; not a CLDR windowsZones.xml?")
endif()
# Sorted so the generated file is stable and readable.
list(SORT entries)
set(body "")
foreach(entry IN LISTS entries)
  string(REPLACE "|" "\", \"" pair "${entry}")
  string(APPEND body "    {\"${pair}\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated at build time by cmake/generate_windows_zones.cmake from\n"
"// ${INPUT}; do not edit.\n"
"#include \"core/windows_zones.hpp\"\n\n"
"namespace calsync {\n\n"
"const WindowsZone kWindowsZones[] = {\n${body}};\n"
"const std::size_t kWindowsZoneCount = sizeof kWindowsZones / sizeof kWindowsZones[0];\n\n"
"}  // namespace calsync\n")
# Rewritten only when the content changes, so an unchanged CLDR file rebuilds nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
