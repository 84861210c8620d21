#!/bin/sh
# Installs every Debian 12 package calsync needs to build, test and benchmark.
# Run as root (or with sudo available). Nothing is downloaded outside apt.
set -eu
PACKAGES="
  build-essential cmake pkg-config git
  help2man
  libical-dev rapidjson-dev libssl-dev libcurl4-openssl-dev libexpat1-dev libsqlite3-dev libpq-dev
  catch2 libbenchmark-dev tzdata unicode-cldr-core
  python3 python3-recurring-ical-events python3-icalendar python3-dateutil python3-jsonschema
  golang-go radicale xandikos python3-caldav abigail-tools openssl
  cyrus-imapd cyrus-caldav sasl2-bin eatmydata
  davical apache2 libapache2-mod-php php-pgsql postgresql
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
  # The CalDAV servers the tests start themselves (Cyrus, DAViCal with Apache and
  # PostgreSQL) must not start as system services on install: a policy-rc.d that denies
  # every start, for the length of the install, where none is in place.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
  if [ -n "$policy" ]; then $SUDO rm -f "$policy"; fi
fi
