"""Everything a browser test of the web example needs, on 127.0.0.1 only: Radicale, the
Google and Graph fakes (local_services.py), the app on two
ports of its own (plain HTTP for the browser, HTTPS with a throwaway certificate as the
public push address the services call), and headless Chromium driven by Selenium.

The app runs in this process (werkzeug threads), so a test reads its log records; the
services and the browser are child processes. Screenshots go to CALSYNC_WEB_ARTIFACTS
(ctest sets it to the build directory), with the log of the app (app.log).
"""
from __future__ import annotations

import base64
import logging
import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # calsync_web, local_services

import local_services  # noqa: E402
from calsync_web import close_app, config, create_app, serving  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (StaleElementReferenceException,  # noqa: E402
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 30
ZONE = "Europe/Paris"


def artifacts_dir() -> str:
    path = os.environ.get("CALSYNC_WEB_ARTIFACTS") or os.path.join(
        tempfile.gettempdir(), "calsync-web-screenshots")
    os.makedirs(path, exist_ok=True)
    return path


def http(method, url, body=None, headers=None, context=None, timeout=10):
    """(status, headers, body bytes) of one request, without following redirects."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def eventually(check, what, timeout=WAIT_SECONDS):
    """Polls `check` until it returns something true, for what the app does on its own
    thread (an export after a booking); fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


class LogRecords(logging.Handler):
    """Every log line the app, calsync and werkzeug write, formatted."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record):
        with self._guard:
            self.lines.append(f"{record.name} {record.getMessage()}")

    def text(self) -> str:
        with self._guard:
            return "\n".join(self.lines)


class Fake:
    """The Google or Graph fake, through its test control API."""

    def __init__(self, url):
        self.url = url

    def control(self, name, body=None, **query):
        return local_services.control(self.url, name, body, **query)


class Radicale:
    """Another CalDAV client (raw HTTP): what the server holds."""

    def __init__(self, info):
        self.info = info
        token = base64.b64encode(f"{info['user']}:{info['password']}".encode()).decode()
        self._auth = {"Authorization": "Basic " + token}

    def events(self) -> dict[str, str]:
        """{UID: calendar data} of the Workshop calendar."""
        body = (b'<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" '
                b'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop>'
                b'<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
                b'</c:comp-filter></c:filter></c:calendar-query>')
        status, _, answer = http("REPORT", self.info["calendar_url"], body,
                                 dict(self._auth, Depth="1",
                                      **{"Content-Type": "application/xml"}))
        assert status == 207, status
        found = {}
        for data in ET.fromstring(answer).iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
            text = (data.text or "").replace("\r\n ", "").replace("\n ", "")
            uid = next(line[4:] for line in text.splitlines() if line.startswith("UID:"))
            found[uid] = text
        return found


def _certificate(directory):
    """A self-signed certificate for 127.0.0.1 (the push address's), made with openssl."""
    cert, key = os.path.join(directory, "push-cert.pem"), os.path.join(directory, "push-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class WebStack:
    """Start with start(), end with stop(); the attributes are what the tests use."""

    def __init__(self):
        self._temporary = tempfile.TemporaryDirectory(prefix="calsync-web-")
        self.logs = LogRecords()
        self.services = local_services.LocalServices(self._temporary.name)
        self._web_servers = []
        self.app = None
        self.browser = None

    def start(self):
        work = self._temporary.name
        for old in os.listdir(artifacts_dir()):  # this run's artifacts, no older run's
            if old.endswith(".png") or old == "app.log":
                os.remove(os.path.join(artifacts_dir(), old))
        logging.getLogger().addHandler(self.logs)
        logging.getLogger().setLevel(logging.INFO)

        cert, key = _certificate(work)
        self.push_tls = ssl.create_default_context(cafile=cert)
        self.services.start(trusted_by_graph=cert)
        self.radicale = Radicale(self.services.radicale)
        self.google = Fake(self.services.google_url)
        self.graph = Fake(self.services.graph_url)

        self.browser_server = serving.bind("127.0.0.1", 0)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self.push_server = serving.bind("127.0.0.1", 0, tls)
        self.base_url = f"http://127.0.0.1:{self.browser_server.server_port}"
        self.push_url = f"https://127.0.0.1:{self.push_server.server_port}"
        self.host_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        self.google_secret = self.services.google_client_secret
        self.environment = dict(
            self.services.environment(self.base_url),
            CALSYNC_WEB_PUSH_URL=self.push_url,
            CALSYNC_WEB_STATE=os.path.join(work, "state.sqlite"),
            CALSYNC_WEB_HOST_KEY=self.host_key,
            CALSYNC_WEB_ZONE=ZONE,
            CALSYNC_WEB_GARAGE_NAME="Garage Dupont",
            # Only a push, a booking or a new choice of calendars makes the scheduler run
            # within a test's time: what it syncs, it syncs because it was woken.
            CALSYNC_WEB_TICK_SECONDS="600")
        self.app = create_app(config.from_environment(self.environment))
        for server in (self.browser_server, self.push_server):
            server.app = self.app
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._web_servers.append(server)
        self.browser = self._chromium()

    def _chromium(self):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=fr-FR"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(WAIT_SECONDS)
        return driver

    def stop(self):
        """Stops what start() started, also when it stopped half-way."""
        if self.browser is not None:
            self.browser.quit()
        for server in self._web_servers:
            server.shutdown()
            server.server_close()
        if self.app is not None:
            close_app(self.app)
        self.services.stop()
        logging.getLogger().removeHandler(self.logs)
        with open(os.path.join(artifacts_dir(), "app.log"), "w") as f:
            f.write(self.logs.text() + "\n")  # what the app did, to read after a failure
        self._temporary.cleanup()

    # --- what the tests do with the browser --------------------------------------------

    def open(self, path):
        self.browser.get(self.base_url + path)

    def wait(self, css, timeout=WAIT_SECONDS):
        """The element `css` selects, once the page shows it."""
        return WebDriverWait(self.browser, timeout).until(
            lambda d: d.find_element(By.CSS_SELECTOR, css))

    def click(self, css):
        self.wait(css).click()

    def wait_text(self, css, start, timeout=WAIT_SECONDS):
        """The element `css` selects whose text starts with `start`: after a click that
        loads another page, the one of the new page (never a stale one of the old)."""
        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if element.text.startswith(start):
                        return element
                except StaleElementReferenceException:
                    pass
                except WebDriverException as e:
                    # The same race, as Chromium sometimes reports it: the page was replaced
                    # between finding the element and reading its text.
                    if "does not belong to the document" not in str(e):
                        raise
            return None
        return WebDriverWait(self.browser, timeout).until(found, f"{css} {start!r}")

    def screenshot(self, name):
        self.browser.save_screenshot(os.path.join(artifacts_dir(), name + ".png"))

    def deliver(self, path, headers, body=b""):
        """Plays a calendar service calling the public push address (HTTPS)."""
        return http("POST", self.push_url + path, body, headers, context=self.push_tls)
