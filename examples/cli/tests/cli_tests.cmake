# CLI tests (label cli): the built program on the bundled sample calendars.
set(_cli $<TARGET_FILE:calsync_cli>)
set(_data ${PROJECT_SOURCE_DIR}/examples/data)

add_test(NAME cli/blocked_json_matches_hand_checked_slots
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tests/check_blocked.py ${_cli} ${_data})

add_test(NAME cli/blocked_table
  COMMAND ${_cli} blocked --ics ${_data}/personal.ics --from 2026-06-01 --to 2026-06-15
          --tz Europe/Berlin)
set_tests_properties(cli/blocked_table PROPERTIES PASS_REGULAR_EXPRESSION
  "2026-06-10 00:00 \\+0200  2026-06-13 00:00 \\+0200  all-day +Personal +summer-holiday")

add_test(NAME cli/declined_blocks_without_owner
  COMMAND ${_cli} blocked --ics ${_data}/personal.ics --from 2026-06-09 --to 2026-06-10
          --tz Europe/Berlin)
set_tests_properties(cli/declined_blocks_without_owner PROPERTIES PASS_REGULAR_EXPRESSION
  "declined-webinar")

add_test(NAME cli/demo
  COMMAND ${_cli} demo)
set_tests_properties(cli/demo PROPERTIES PASS_REGULAR_EXPRESSION
  "2026-06-08 16:00 \\+0200  2026-06-08 17:00 \\+0200 +Workshop +staff-meeting.*2026-06-02 16:30 \\+0200 - 2026-06-02 17:30 \\+0200")

add_test(NAME cli/unknown_option_is_usage_error
  COMMAND ${CMAKE_COMMAND} -DCMD=${_cli} "-DARGS=blocked;--bogus"
          -DEXPECT_RC=2 "-DEXPECT_ERR=unknown option '--bogus'"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_exit.cmake)
add_test(NAME cli/missing_file_is_usage_error
  COMMAND ${CMAKE_COMMAND} -DCMD=${_cli}
          "-DARGS=blocked;--ics;/nonexistent/x.ics;--from;2026-06-01;--to;2026-06-02;--tz;UTC"
          -DEXPECT_RC=2 "-DEXPECT_ERR=cannot read --ics file '/nonexistent/x.ics'"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_exit.cmake)
add_test(NAME cli/unknown_zone_is_library_error
  COMMAND ${CMAKE_COMMAND} -DCMD=${_cli}
          "-DARGS=blocked;--ics;${_data}/personal.ics;--from;2026-06-01T00:00:00Z;--to;2026-06-02T00:00:00Z;--tz;Mars/Olympus_Mons"
          -DEXPECT_RC=1 "-DEXPECT_ERR=unknown time zone.*Mars/Olympus_Mons"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_exit.cmake)

add_test(NAME cli/google_connect_calendars_events
  COMMAND ${CMAKE_COMMAND} -E env PYTHONDONTWRITEBYTECODE=1
          ${CALSYNC_DEBIAN_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tests/check_google.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/google/google_fake.py)

get_property(_cli_tests DIRECTORY PROPERTY TESTS)
set_tests_properties(${_cli_tests} PROPERTIES LABELS cli)
