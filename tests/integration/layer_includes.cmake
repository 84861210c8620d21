# The arrows between layers, checked on the sources: every #include "..." of a file under a
# layer's folder must stay out of the folders that layer may not reach (design.md, "Arrows
# point one way"). Run as: cmake -DSOURCE_DIR=<tree> -P layer_includes.cmake
# Prints each include that runs the wrong way and fails; prints "layers: ok" otherwise.
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "SOURCE_DIR is not set")
endif()

# <files>=<include prefixes they may not use>: files are globs under SOURCE_DIR, both lists
# separated by commas. A prefix is matched at the start of the quoted include path.
# The public headers belong to layers too: core's (model, civil_time, zone, ical,
# recurrence, export_identity, result, cancel) and the provider interface (provider, push),
# engine's (engine, availability, export_plan, export_render, team_feed), store.hpp, sync.hpp.
set(_engine_api "calsync/engine.hpp,calsync/availability.hpp,calsync/export_plan.hpp,calsync/export_render.hpp,calsync/team_feed.hpp")
set(_store_api "calsync/store.hpp")
set(_sync_api "calsync/sync.hpp")
set(_adapters "providers/google/,providers/microsoft/,providers/caldav/,providers/ics_feed/")
set(_core_files "src/core/*,include/calsync/model.hpp,include/calsync/civil_time.hpp,include/calsync/zone.hpp,include/calsync/ical.hpp,include/calsync/recurrence.hpp,include/calsync/export_identity.hpp,include/calsync/result.hpp,include/calsync/cancel.hpp,include/calsync/provider.hpp,include/calsync/push.hpp")
set(_engine_files "src/engine/*,include/calsync/engine.hpp,include/calsync/availability.hpp,include/calsync/export_plan.hpp,include/calsync/export_render.hpp,include/calsync/team_feed.hpp")
set(_rules
  # core -> nothing above it
  "${_core_files}=engine/,net/,providers/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # engine -> core
  "${_engine_files}=net/,providers/,store/,sync/,${_store_api},${_sync_api}"
  # net -> core
  "src/net/*=engine/,providers/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # providers -> net, core
  "src/providers/*=engine/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # store -> core
  "src/store/*,include/calsync/store.hpp=engine/,net/,providers/,sync/,${_engine_api},${_sync_api}"
  # sync -> everything below, through the provider interface: never an adapter's headers
  "src/sync/*=${_adapters}"
)

set(_violations 0)
foreach(rule IN LISTS _rules)
  string(REPLACE "=" ";" rule "${rule}")
  list(GET rule 0 globs)
  list(GET rule 1 forbidden)
  string(REPLACE "," ";" globs "${globs}")
  string(REPLACE "," ";" forbidden "${forbidden}")
  set(files)
  foreach(glob IN LISTS globs)
    file(GLOB_RECURSE found "${SOURCE_DIR}/${glob}")
    list(APPEND files ${found})
  endforeach()
  list(FILTER files INCLUDE REGEX "\\.(cpp|hpp|h)$")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*" "\\1" included "${line}")
      foreach(prefix IN LISTS forbidden)
        string(FIND "${included}" "${prefix}" at)
        if(at EQUAL 0)
          file(RELATIVE_PATH shown "${SOURCE_DIR}" "${file}")
          message("layer violation: ${shown} includes \"${included}\" (may not use ${prefix})")
          math(EXPR _violations "${_violations} + 1")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

if(_violations GREATER 0)
  message(FATAL_ERROR "layers: ${_violations} include(s) run the wrong way")
endif()
message("layers: ok")
