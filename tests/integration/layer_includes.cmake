# The arrows between layers, checked on the sources: every #include "..." of a file under a
# layer's folder must stay out of the folders that layer may not reach (design.md, "Arrows
# point one way"). Run as: cmake -DSOURCE_DIR=<tree> -P layer_includes.cmake
# Prints each include that runs the wrong way and fails; prints "layers: ok" otherwise.
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "SOURCE_DIR is not set")
endif()

# <folder>=<include prefixes it may not use, separated by commas>. A prefix is matched at
# the start of the quoted include path.
set(_adapters "providers/google/,providers/microsoft/,providers/caldav/,providers/ics_feed/")
set(_rules
  "src/sync=${_adapters}"
  "src/core=${_adapters}"
  "src/engine=${_adapters}"
)

set(_violations 0)
foreach(rule IN LISTS _rules)
  string(REPLACE "=" ";" rule "${rule}")
  list(GET rule 0 folder)
  list(GET rule 1 forbidden)
  string(REPLACE "," ";" forbidden "${forbidden}")
  file(GLOB_RECURSE files "${SOURCE_DIR}/${folder}/*.cpp" "${SOURCE_DIR}/${folder}/*.hpp")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*" "\\1" included "${line}")
      foreach(prefix IN LISTS forbidden)
        string(FIND "${included}" "${prefix}" at)
        if(at EQUAL 0)
          file(RELATIVE_PATH shown "${SOURCE_DIR}" "${file}")
          message("layer violation: ${shown} includes \"${included}\" (${folder} may not use ${prefix})")
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
