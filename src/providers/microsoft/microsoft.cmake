# The Microsoft Graph provider, added to calsync_providers by the root CMakeLists.txt.
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
target_sources(calsync_providers PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/graph_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_import.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_provider.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_push.cpp
  ${CMAKE_CURRENT_LIST_DIR}/windows_zones.cpp
  ${CALSYNC_WINDOWS_ZONES_TABLE})
target_include_directories(calsync_providers SYSTEM PRIVATE ${RAPIDJSON_INCLUDE_DIRS})
target_include_directories(calsync_providers PRIVATE ${PROJECT_SOURCE_DIR}/src)
