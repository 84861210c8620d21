# ctest's ffi/python_install: installs the package the way its README says, offline, into
# a venv in the build tree, from a copy of the sources (setuptools builds in the source
# directory; the checkout stays clean). Nothing outside WORK is touched.
#   cmake -DPYTHON=/usr/bin/python3 -DSOURCE=examples/python -DWORK=<build dir> -P this
foreach(var PYTHON SOURCE WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK}/package ${WORK}/venv ${WORK}/home)
file(MAKE_DIRECTORY ${WORK}/package ${WORK}/home)
file(COPY ${SOURCE}/pyproject.toml ${SOURCE}/setup.py ${SOURCE}/README.md ${SOURCE}/calsync
     DESTINATION ${WORK}/package PATTERN __pycache__ EXCLUDE)

# No user or site pip configuration, no package index, no cache outside WORK.
set(ENV{HOME} ${WORK}/home)
set(ENV{PIP_CONFIG_FILE} /dev/null)
set(ENV{PIP_NO_INDEX} 1)
set(ENV{PIP_NO_CACHE_DIR} 1)
unset(ENV{PIP_FIND_LINKS})
unset(ENV{PIP_INDEX_URL})

# --system-site-packages: Debian's setuptools and wheel build the package
# (--no-build-isolation), as they would for a reader following the README; Debian's pip
# installs into the venv, so the venv needs no pip of its own (--without-pip is faster).
execute_process(COMMAND ${PYTHON} -m venv --system-site-packages --without-pip ${WORK}/venv
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "python3 -m venv failed (${status}); is python3-venv installed?")
endif()
execute_process(COMMAND ${WORK}/venv/bin/python -m pip install --no-build-isolation
                        --no-index --disable-pip-version-check ${WORK}/package
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pip install failed (${status})")
endif()
