# Makes calsync.1 from the program's own help texts: help2man reads `calsync --help` and
# `calsync --version` (synopsis, description, global options, exit status), and a COMMANDS
# section holds each command's `calsync COMMAND --help`, so the manual says what the
# program says and cannot fall behind it.
# usage: cmake -DCLI=path/to/calsync -DHELP2MAN=path -DOUT=calsync.1 -P man_page.cmake
foreach(var CLI HELP2MAN OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_page.cmake: -D${var}= is required")
  endif()
endforeach()

function(run_cli out)
  execute_process(COMMAND ${CLI} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "man_page.cmake: `calsync ${ARGN}` exited ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# roff text as typed: a backslash is \e, a minus sign \- (so options copy and paste), and a
# line starting with a control character is not a request.
function(roff_literal out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The commands, as the overview lists them ("  sync          sync due connections ...").
run_cli(overview --help)
string(REGEX MATCH "\ncommands:\n(  [a-z][^\n]*\n)+" listing "${overview}")
string(REGEX MATCHALL "\n  [a-z]+" names "${listing}")
if(NOT names)
  message(FATAL_ERROR "man_page.cmake: no commands in `calsync --help`")
endif()

# SYNOPSIS from the overview's first line (help2man looks for "Usage:" only).
string(REGEX MATCH "^usage: calsync ([^\n]*)" usage "${overview}")
if(NOT usage)
  message(FATAL_ERROR "man_page.cmake: `calsync --help` does not start with its usage")
endif()
roff_literal(synopsis "${CMAKE_MATCH_1}")
set(section "[SYNOPSIS]\n.B calsync\n${synopsis}\n")

string(APPEND section "[COMMANDS]\n")
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  run_cli(help_text ${name} --help)
  roff_literal(help "${help_text}")
  string(APPEND section ".SS ${name}\n.nf\n${help}.fi\n")
endforeach()

get_filename_component(dir "${OUT}" DIRECTORY)
file(WRITE "${dir}/calsync.h2m" "${section}")
execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1
          "--name=keep a garage's booking slots in sync with its calendars"
          --include=${dir}/calsync.h2m --output=${OUT} ${CLI}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed (${rc})")
endif()

# help2man fills an indented block into one paragraph; a block of command lines (the
# overview's "Getting started") is kept line by line.
file(READ "${OUT}" page)
string(REGEX MATCHALL "\n\\.IP\n(calsync [^\n]*\n)+" blocks "${page}")
foreach(block IN LISTS blocks)
  string(REGEX REPLACE "^\n\\.IP\n" "\n.IP\n.nf\n" kept "${block}")
  string(REPLACE "${block}" "${kept}.fi\n" page "${page}")
endforeach()
file(WRITE "${OUT}" "${page}")
