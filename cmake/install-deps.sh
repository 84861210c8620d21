#!/bin/sh
# Installs every Debian 12 package calsync needs to build, test and benchmark.
# Run as root (or with sudo available). Nothing is downloaded outside apt.
set -eu
PACKAGES="
  build-essential cmake pkg-config git
  libical-dev rapidjson-dev libssl-dev libcurl4-openssl-dev libexpat1-dev libsqlite3-dev
  catch2 libbenchmark-dev tzdata unicode-cldr-core
  python3 python3-recurring-ical-events python3-icalendar python3-dateutil
  golang-go radicale xandikos python3-caldav abigail-tools openssl
  python3-venv python3-pip python3-setuptools python3-wheel
  clang libclang-rt-14-dev
  python3-flask chromium chromium-driver python3-selenium
"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "calsync: installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
