# The arrows between layers, checked on the sources: every #include "..." of a file under a
# layer's folder must stay out of the folders that layer may not reach (design.md, "Arrows
# point one way"). Run as: cmake -DSOURCE_DIR=<tree> -P layer_includes.cmake
# Prints each include that runs the wrong way, and each public header no layer claims, and
# fails; prints "layers: ok" otherwise.
cmake_minimum_required(VERSION 3.18) # if(IN_LIST)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "SOURCE_DIR is not set")
endif()

# The public headers (include/calsync/<name>.hpp) of each layer's library. Every public
# header belongs to one: a header no layer claims is reported too, so a new one cannot slip
# past the rules below. core's include the provider interface (provider, push) and the
# request budget a provider paces its requests by (request_budget).
set(_core_headers model civil_time zone ical recurrence export_identity result cancel provider
  push request_budget)
set(_engine_headers engine availability export_plan export_render team_feed)
set(_store_headers store fleet)
set(_sync_headers sync worker)
foreach(layer core engine store sync)
  set(_${layer}_api)
  set(_${layer}_public)
  foreach(name IN LISTS _${layer}_headers)
    list(APPEND _${layer}_api "calsync/${name}.hpp")
    list(APPEND _${layer}_public "include/calsync/${name}.hpp")
  endforeach()
  string(REPLACE ";" "," _${layer}_api "${_${layer}_api}")
  string(REPLACE ";" "," _${layer}_public "${_${layer}_public}")
endforeach()
set(_adapters "providers/google/,providers/microsoft/,providers/caldav/,providers/ics_feed/")

# <files>=<include prefixes they may not use>: files are globs under SOURCE_DIR, both lists
# separated by commas. A prefix is matched at the start of the quoted include path. One rule
# per library of the root CMakeLists.txt, as it links: a layer may use only those below it.
set(_rules
  # calsync_core -> nothing above it
  "src/core/*,${_core_public}=engine/,net/,providers/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # calsync_engine -> core
  "src/engine/*,${_engine_public}=net/,providers/,store/,sync/,${_store_api},${_sync_api}"
  # calsync_net -> core
  "src/net/*=engine/,providers/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # calsync_providers -> net, core
  "src/providers/*=engine/,store/,sync/,${_engine_api},${_store_api},${_sync_api}"
  # calsync_store -> core
  "src/store/*,${_store_public}=engine/,net/,providers/,sync/,${_engine_api},${_sync_api}"
  # calsync_sync -> everything below, through the provider interface: never an adapter's
  # headers
  "src/sync/*,${_sync_public}=${_adapters}"
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

# Every public header belongs to a layer.
set(_claimed ${_core_headers} ${_engine_headers} ${_store_headers} ${_sync_headers})
file(GLOB _public RELATIVE "${SOURCE_DIR}/include/calsync" "${SOURCE_DIR}/include/calsync/*.hpp")
foreach(header IN LISTS _public)
  string(REGEX REPLACE "\\.hpp$" "" name "${header}")
  if(NOT name IN_LIST _claimed)
    message("layer violation: include/calsync/${header} belongs to no layer "
            "(add it to a layer's headers in layer_includes.cmake)")
    math(EXPR _violations "${_violations} + 1")
  endif()
endforeach()

if(_violations GREATER 0)
  message(FATAL_ERROR "layers: ${_violations} violation(s)")
endif()
message("layers: ok")
