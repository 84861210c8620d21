# The Windows -> IANA zone table (CLDR windowsZones.xml), generated at build time into
# calsync_core: Graph events and iCalendar TZIDs without a VTIMEZONE map through it.
set(CALSYNC_WINDOWS_ZONES_XML
    /usr/share/unicode/cldr/common/supplemental/windowsZones.xml
    CACHE FILEPATH "CLDR windowsZones.xml (Debian package unicode-cldr-core)")
if(NOT EXISTS "${CALSYNC_WINDOWS_ZONES_XML}")
  message(FATAL_ERROR "${CALSYNC_WINDOWS_ZONES_XML} not found: install unicode-cldr-core "
                      "(cmake/install-deps.sh) or set CALSYNC_WINDOWS_ZONES_XML")
endif()
set(CALSYNC_WINDOWS_ZONES_TABLE ${CMAKE_BINARY_DIR}/generated/windows_zones_table.cpp)
add_custom_command(
  OUTPUT ${CALSYNC_WINDOWS_ZONES_TABLE}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${CALSYNC_WINDOWS_ZONES_XML}
          -DOUTPUT=${CALSYNC_WINDOWS_ZONES_TABLE}
          -P ${PROJECT_SOURCE_DIR}/cmake/generate_windows_zones.cmake
  DEPENDS ${CALSYNC_WINDOWS_ZONES_XML} ${PROJECT_SOURCE_DIR}/cmake/generate_windows_zones.cmake
  COMMENT "Generating the Windows -> IANA zone table from CLDR"
  VERBATIM)
target_sources(calsync_core PRIVATE src/core/windows_zones.cpp ${CALSYNC_WINDOWS_ZONES_TABLE})
