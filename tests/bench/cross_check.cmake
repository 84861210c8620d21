# Runs baseline_libical and `bench_engine --count` on one calendar and fails unless both
# find the same blocking occurrences (count and a checksum of their times) and the same
# number of merged busy intervals.
# cmake -DBASELINE=... -DENGINE=... -DICS=... -P cross_check.cmake
foreach(var BASELINE ENGINE ICS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "cross_check.cmake needs -D${var}=...")
  endif()
endforeach()

function(run_counts label out_occurrences out_merged out_checksum)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${label} failed (${rc}): ${err}")
  endif()
  if(NOT out MATCHES "occurrences=([0-9]+) merged=([0-9]+) checksum=([0-9]+)")
    message(FATAL_ERROR "${label}: unexpected output: ${out}")
  endif()
  message(STATUS "${label}: ${out}")
  set(${out_occurrences} ${CMAKE_MATCH_1} PARENT_SCOPE)
  set(${out_merged} ${CMAKE_MATCH_2} PARENT_SCOPE)
  set(${out_checksum} ${CMAKE_MATCH_3} PARENT_SCOPE)
endfunction()

run_counts("baseline_libical" base_occ base_merged base_sum ${BASELINE} ${ICS})
run_counts("calsync" cal_occ cal_merged cal_sum ${ENGINE} --count ${ICS})
if(base_occ EQUAL 0 OR base_merged EQUAL 0)
  message(FATAL_ERROR "the calendar ${ICS} gives no busy time: nothing was compared")
endif()
# The checksums are 64-bit and compared as strings: CMake's integers are signed.
if(NOT base_occ EQUAL cal_occ OR NOT base_merged EQUAL cal_merged
   OR NOT base_sum STREQUAL cal_sum)
  message(FATAL_ERROR "baseline_libical and calsync disagree on ${ICS}: "
                      "occurrences ${base_occ} vs ${cal_occ}, merged ${base_merged} vs ${cal_merged}, "
                      "occurrence checksum ${base_sum} vs ${cal_sum}")
endif()
