"""Cyrus IMAP 3.6 with its CalDAV module (Debian: cyrus-imapd, cyrus-caldav, sasl2-bin,
eatmydata) on 127.0.0.1, for dav_server.py. Everything lives under one directory:
configuration, mailboxes, the SASL password database; cyrmaster runs in the foreground as
the `cyrus` user (reference/servers.md), so stopping its process group stops the server.
"""
import imaplib
import os
import shutil
import subprocess
import sys
import time

CYRMASTER = "/usr/sbin/cyrmaster"


def start(directory, http_port, imap_port, user, password, log):
    """Starts the server; returns (process, calendar home path). The user's mailbox is made
    by one IMAP login: until it exists, the user's calendar home answers 500."""
    if os.geteuid() != 0:
        sys.exit("cyrus: runs as root only (cyrmaster runs as the cyrus user)")
    if not os.path.exists(CYRMASTER):
        sys.exit("cyrus: cyrus-imapd and cyrus-caldav are not installed (cmake/install-deps.sh)")
    for sub in ("conf", "spool", "run"):
        os.makedirs(os.path.join(directory, sub))
    conf = os.path.join(directory, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"""configdirectory: {directory}/conf
partition-default: {directory}/spool
proc_path: {directory}/run/proc
mboxname_lockpath: {directory}/run/lock
idlesocket: {directory}/run/idle
notifysocket: {directory}/run/notify
lmtpsocket: {directory}/run/lmtp
servername: localhost
admins: cyrus
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {directory}/sasldb2
allowplaintext: yes
httpmodules: caldav
caldav_allowscheduling: no
caldav_create_default: yes
autocreate_quota: 0
syslog_prefix: calsync-test-cyrus
""")
    # cyrmaster does not hand its -C to the services: each names the file itself.
    with open(os.path.join(directory, "cyrus.conf"), "w") as f:
        f.write(f"""START {{
  recover cmd="ctl_cyrusdb -C {conf} -r"
}}
SERVICES {{
  imap cmd="imapd -C {conf}" listen="127.0.0.1:{imap_port}" prefork=0
  http cmd="httpd -C {conf}" listen="127.0.0.1:{http_port}" prefork=0
}}
EVENTS {{
}}
""")
    subprocess.run(["saslpasswd2", "-p", "-f", os.path.join(directory, "sasldb2"),
                    "-u", "localhost", "-c", user], input=password.encode(), check=True)
    shutil.chown(directory, "cyrus", "mail")
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            shutil.chown(os.path.join(root, name), "cyrus", "mail")
    # Cyrus syncs every write to disk (70 ms a PUT on a busy test machine); a test server's
    # data is thrown away, so eatmydata (fsync does nothing) makes that 6 ms.
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["runuser", "-u", "cyrus", "--", "eatmydata", CYRMASTER, "-D", "-C", conf,
             "-M", os.path.join(directory, "cyrus.conf"),
             "-p", os.path.join(directory, "run", "master.pid")],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"cyrmaster exited early; see {log}")
        try:
            imap = imaplib.IMAP4("127.0.0.1", imap_port, timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    else:
        sys.exit(f"cyrus: IMAP did not answer on port {imap_port}")
    imap.login(user, password)  # autocreate_quota: makes the mailbox, then the home
    imap.logout()
    return proc, f"/dav/calendars/user/{user}/"
