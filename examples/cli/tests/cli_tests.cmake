# CLI tests (label cli): the built program on the bundled sample calendars, its state
# handling and exit codes, the sign-in listener, and whole sessions against the Google and
# Graph fakes (sign-ins that work and every way they fail). The sessions against a real
# Radicale are in tests/caldav/CMakeLists.txt (they need its fixture).
set(_cli $<TARGET_FILE:calsync_cli>)
set(_data ${PROJECT_SOURCE_DIR}/examples/data)
set(_tests ${CMAKE_CURRENT_SOURCE_DIR}/tests)

add_test(NAME cli/blocked_json_matches_hand_checked_slots
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_blocked.py ${_cli} ${_data})

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
          -P ${_tests}/expect_exit.cmake)
add_test(NAME cli/missing_file_is_usage_error
  COMMAND ${CMAKE_COMMAND} -DCMD=${_cli}
          "-DARGS=blocked;--ics;/nonexistent/x.ics;--from;2026-06-01;--to;2026-06-02;--tz;UTC"
          -DEXPECT_RC=2 "-DEXPECT_ERR=cannot read --ics file '/nonexistent/x.ics'"
          -P ${_tests}/expect_exit.cmake)
add_test(NAME cli/unknown_zone_is_library_error
  COMMAND ${CMAKE_COMMAND} -DCMD=${_cli}
          "-DARGS=blocked;--ics;${_data}/personal.ics;--from;2026-06-01T00:00:00Z;--to;2026-06-02T00:00:00Z;--tz;Mars/Olympus_Mons"
          -DEXPECT_RC=1 "-DEXPECT_ERR=unknown time zone.*Mars/Olympus_Mons"
          -P ${_tests}/expect_exit.cmake)

# --from and --to: impossible dates are usage errors naming the option; today, tomorrow
# and +Nd are days in the business's zone.
add_test(NAME cli/dates_are_checked_and_relative_days_in_business_zone
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_dates.py ${_cli} ${_data})

# Typos get one line with a "did you mean"; `--` ends the options; singular counts; no
# internal names in messages.
add_test(NAME cli/typo_is_one_line_with_did_you_mean
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_command_line.py ${_cli} ${_data})

# connect ics fetches the feed (a bad link fails there, nothing kept), labels it with its
# X-WR-CALNAME; doctor reads it; a reconnect with another --id says which id is kept.
add_test(NAME cli/feed_is_fetched_at_connect_and_doctor
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_feed_connect.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/fault_server.py ${_data})

# `calsync worker --store sqlite:...` on the state's own file: a pass, the loop, SIGTERM.
add_test(NAME cli/worker_command
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_worker_command.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/fault_server.py ${_data})

# The state directory, the key file, the config file, --help and the exit codes, with no
# server (a feed from the fault server where a connection is needed).
add_test(NAME cli/state_help_and_exit_codes
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_state.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/fault_server.py ${_data})

# A person's sessions against the Google and Graph fakes: sign in (the script is the
# browser, or approves the device code; declined, forged, expired and timed-out sign-ins
# first), calendars, select, sync, blocked, appointments read back through the fakes'
# control APIs, status, doctor, disconnect --revoke, a reconnect.
add_test(NAME cli/google_session_against_fake
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_google.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/google/google_fake.py)
add_test(NAME cli/microsoft_session_against_fake
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_microsoft.py ${_cli}
          ${PROJECT_SOURCE_DIR}/tests/fakes/graph/graph_fake.py)

# The README's main command minus the build: the demo starts its own Radicale.
add_test(NAME cli/demo_against_local_radicale
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/demo_radicale.py ${_cli})
set_tests_properties(cli/demo_against_local_radicale PROPERTIES
  PASS_REGULAR_EXPRESSION "Demo finished: every step worked")

find_package(Catch2 2 REQUIRED)
include(Catch)
add_executable(calsync_cli_tests ${_tests}/test_loopback_listener.cpp)
target_link_libraries(calsync_cli_tests PRIVATE calsync_cli_parts Catch2::Catch2)
target_include_directories(calsync_cli_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

# The manual page made by help2man renders and documents every command; the bash
# completion, sourced in bash, completes commands, options, fixed words and connection ids.
add_test(NAME cli/man_page_documents_every_command
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_man_page.py ${_cli}
          ${CMAKE_CURRENT_BINARY_DIR}/calsync.1)
add_test(NAME cli/bash_completion_completes_commands_options_and_ids
  COMMAND ${CALSYNC_DEBIAN_PYTHON} ${_tests}/check_completion.py ${_cli}
          ${CMAKE_CURRENT_SOURCE_DIR}/calsync.bash-completion
          ${PROJECT_SOURCE_DIR}/tests/fakes/fault_server.py ${_data})

get_property(_cli_tests DIRECTORY PROPERTY TESTS)
set_tests_properties(${_cli_tests} PROPERTIES LABELS cli)
set_tests_properties(cli/demo_against_local_radicale PROPERTIES LABELS "dav;cli")
set_tests_properties(cli/google_session_against_fake PROPERTIES LABELS "google;cli")
set_tests_properties(cli/microsoft_session_against_fake PROPERTIES LABELS "microsoft;cli")
catch_discover_tests(calsync_cli_tests TEST_PREFIX "cli/" PROPERTIES LABELS cli
  EXTRA_ARGS -w NoTests)

