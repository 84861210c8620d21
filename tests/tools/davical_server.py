"""DAViCal 1.1.12 (Debian: davical, apache2, libapache2-mod-php, php-pgsql, postgresql) on
127.0.0.1, for dav_server.py: a PostgreSQL 15 cluster of its own in DIR/postgres on a Unix
socket only (run as the `postgres` user: initdb and postgres refuse root), the DAViCal
database made by the package's create-database.sh, and Apache in the foreground serving
caldav.php with a configuration of its own (reference/servers.md, fleet-and-browser.md).

DAViCal reads its site configuration from /etc/davical/<SERVER_NAME>-conf.php only. The
file for 127.0.0.1 that this installs includes the configuration its Apache names in
CALSYNC_DAVICAL_CONFIG, and otherwise the package's config.php as before: several test
servers can run at once, each with its own database.
"""
import glob
import os
import shutil
import subprocess
import sys

SITE_CONFIG = "/etc/davical/127.0.0.1-conf.php"
SITE_CONFIG_TEXT = """<?php
// Written by calsync's tests (tests/tools/davical_server.py): a DAViCal that a test
// started on 127.0.0.1 names its own configuration; any other gets the package's.
if (isset($_SERVER['CALSYNC_DAVICAL_CONFIG']))
  include($_SERVER['CALSYNC_DAVICAL_CONFIG']);
else
  include('/etc/davical/config.php');
"""
APACHE_MODULES = "/usr/lib/apache2/modules"


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit("davical: PostgreSQL server binaries not found (package postgresql)")
    return found[-1]


def as_postgres(*args, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, **kw)


def start_postgres(directory, log):
    """A cluster in DIR/postgres/data on a socket in DIR/postgres/socket; returns its
    environment for libpq clients."""
    base = os.path.join(directory, "postgres")
    data, socket_dir = os.path.join(base, "data"), os.path.join(base, "socket")
    os.makedirs(data)
    os.makedirs(socket_dir)
    for path in (base, data, socket_dir):
        shutil.chown(path, "postgres", "postgres")
    os.chmod(data, 0o700)
    with open(log, "a") as out:
        as_postgres(postgres_bin("initdb"), "-D", data, "-A", "trust", "-U", "calsync",
                    "-E", "UTF8", "--locale", "C", stdout=out, stderr=subprocess.STDOUT)
        # Only a socket (no TCP port to collide with); fsync off: a test database.
        as_postgres(postgres_bin("pg_ctl"), "-D", data, "-l", os.path.join(base, "server.log"),
                    "-o", f"-k {socket_dir} -c listen_addresses='' -c fsync=off", "-w",
                    "start", stdout=out, stderr=subprocess.STDOUT)
    env = dict(os.environ, PGHOST=socket_dir, PGPORT="5432", PGUSER="calsync")
    return data, env


def stop_postgres(data):
    subprocess.run(["runuser", "-u", "postgres", "--", postgres_bin("pg_ctl"), "-D", data,
                    "-m", "immediate", "stop"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def start(directory, port, user, password, log):
    """Starts PostgreSQL and Apache; returns (Apache process, calendar home path,
    PostgreSQL data directory)."""
    if os.geteuid() != 0:
        sys.exit("davical: runs as root only (PostgreSQL as postgres, Apache as www-data)")
    if not os.path.exists("/usr/share/davical/htdocs/caldav.php"):
        sys.exit("davical: the davical package is not installed (cmake/install-deps.sh)")
    data, env = start_postgres(directory, log)
    try:
        with open(log, "a") as out:
            subprocess.run(["/usr/share/davical/dba/create-database.sh", "davical",
                            "admin-" + password], env=env, check=True, stdout=out,
                           stderr=subprocess.STDOUT, cwd="/")
            # A user as DAViCal's admin pages make one: a usr row, its principal.
            subprocess.run(
                ["psql", "-qXAt", "-v", "ON_ERROR_STOP=1", "-d", "davical", "-c",
                 "INSERT INTO usr (active, username, password, fullname, email) VALUES "
                 f"(true, '{user}', '**{password}', 'Garage', '{user}@calsync.invalid');"
                 "INSERT INTO principal (type_id, user_no, displayname, default_privileges) "
                 f"SELECT 1, user_no, 'Garage', 0::BIT(24) FROM usr WHERE username = '{user}';"],
                env=env, check=True, stdout=out, stderr=subprocess.STDOUT)
        if not os.path.exists(SITE_CONFIG) or open(SITE_CONFIG).read() != SITE_CONFIG_TEXT:
            with open(SITE_CONFIG, "w") as f:
                f.write(SITE_CONFIG_TEXT)
        config = os.path.join(directory, "davical-conf.php")
        with open(config, "w") as f:
            f.write(f"""<?php
$c->pg_connect[] = "host={env['PGHOST']} port=5432 dbname=davical user=davical_app";
$c->system_name = "calsync test DAViCal";
// Lets dav_server.py load a calendar in one PUT (a whole VCALENDAR on the collection).
$c->readonly_webdav_collections = false;
$c->admin_email = "admin@calsync.invalid";
""")
        run = os.path.join(directory, "apache")
        os.makedirs(run)
        shutil.chown(run, "www-data", "www-data")
        apache_conf = os.path.join(directory, "apache2.conf")
        with open(apache_conf, "w") as f:
            f.write(f"""ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {run}/apache2.pid
DefaultRuntimeDir {run}
Mutex file:{run} default
ErrorLog {directory}/apache-error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_prefork_module {APACHE_MODULES}/mod_mpm_prefork.so
LoadModule authz_core_module {APACHE_MODULES}/mod_authz_core.so
LoadModule mime_module {APACHE_MODULES}/mod_mime.so
LoadModule dir_module {APACHE_MODULES}/mod_dir.so
LoadModule alias_module {APACHE_MODULES}/mod_alias.so
LoadModule env_module {APACHE_MODULES}/mod_env.so
LoadModule php_module {APACHE_MODULES}/libphp8.2.so
StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 8
TypesConfig /etc/mime.types
DocumentRoot /usr/share/davical/htdocs
DirectoryIndex index.php
<Directory /usr/share/davical/htdocs>
  AllowOverride None
  Require all granted
</Directory>
<FilesMatch "\\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
SetEnv CALSYNC_DAVICAL_CONFIG {config}
# RFC 6764 5: the well-known URI leads to the context path.
Redirect 301 /.well-known/caldav /caldav.php/
""")
        with open(log, "a") as out:
            proc = subprocess.Popen(["/usr/sbin/apache2", "-f", apache_conf, "-DFOREGROUND"],
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
    except BaseException:
        stop_postgres(data)
        raise
    return proc, f"/caldav.php/{user}/", data
