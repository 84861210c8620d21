"""The help page's journey in a real browser (headless Chromium through Selenium), against
the Google fake, the Graph fake and Radicale on 127.0.0.1:

Paramètres > Calendrier externe > Connecter un calendrier > Google, the fake's consent
page clicked through, two calendars chosen with different directions, "Synchroniser
maintenant", an external event greyed with its calendar's name in the agenda, a booking
found in the Google calendar with client, service and vehicle, a time an external event
took meanwhile refused, the external event deleted and the slot free after a sync, a
change pushed by Google synced without a click, iCloud (on Radicale) connected, and both
accounts disconnected with their exported events still there. Outlook through the Graph
fake: consent denied then given, its subscription validated and a notification synced.

Every page is saved as a screenshot (CALSYNC_WEB_ARTIFACTS); no page and no log line
holds a secret.
"""
import datetime as dt
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from web_stack import WebStack, ZONE, eventually, http

PARIS = ZoneInfo(ZONE)
# Two weeks ahead, inside the sync window and never in the past, whatever today is.
MONDAY = (dt.date.today() + dt.timedelta(days=14))
MONDAY -= dt.timedelta(days=MONDAY.weekday())
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + dt.timedelta(days=d) for d in (1, 2, 3))

GOOGLE_ACCOUNT = "garage.dupont@gmail.com"  # the primary calendar, "Atelier"
PERSONAL = "famille.dupont@group.calendar.google.com"
HOLIDAYS = "fr.french#holiday@group.v.calendar.google.com"


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), PARIS)


def google_event(event_id, summary, start, end):
    return {"id": event_id, "summary": summary, "status": "confirmed",
            "start": {"dateTime": start.isoformat(), "timeZone": ZONE},
            "end": {"dateTime": end.isoformat(), "timeZone": ZONE}}


class Journey(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = WebStack()
        cls.addClassCleanup(cls.stack.stop)
        cls.stack.start()
        google = cls.stack.google
        for entry in ({"id": GOOGLE_ACCOUNT, "summary": "Atelier", "primary": True,
                       "accessRole": "owner", "timeZone": ZONE},
                      {"id": PERSONAL, "summary": "Famille", "accessRole": "owner",
                       "timeZone": ZONE},
                      {"id": HOLIDAYS, "summary": "Jours fériés", "accessRole": "reader",
                       "timeZone": ZONE}):
            google.control("calendar", entry)
        cls.pages = []  # the source of every page seen, checked for secrets at the end

    # --- helpers --------------------------------------------------------------------------

    def see(self, name):
        """Keeps the page as a screenshot and its source for the secrets check."""
        self.stack.screenshot(name)
        self.pages.append((name, self.stack.browser.page_source))

    def cell(self, day, hour, minute=0):
        """The agenda's cell of that half hour (the agenda of its week must be shown)."""
        return self.stack.wait(f'td[data-start="{day.isoformat()}T{hour:02d}:{minute:02d}"]')

    def show_week(self, monday):
        self.stack.open(f"/agenda?week={monday.isoformat()}")
        self.stack.wait("#week")

    def connection_section(self, kind):
        return self.stack.wait(f'section.connection[data-kind="{kind}"]')

    def choose(self, directions):
        """On the calendars page: {calendar name: option text}, then Enregistrer."""
        self.stack.wait_text("h1", "Choisir les calendriers")
        chosen = set()
        for select in self.stack.browser.find_elements(By.CSS_SELECTOR, "select"):
            name = select.get_attribute("data-name")
            if name in directions:
                Select(select).select_by_visible_text(directions[name])
                chosen.add(name)
        self.assertEqual(chosen, set(directions))
        self.stack.click("#save")
        self.stack.wait_text(".message.ok", "Choix des calendriers enregistré.")

    def sync_now(self, kind):
        self.connection_section(kind).find_element(By.CSS_SELECTOR, "button.sync-now").click()
        self.stack.wait_text(".message.ok", "Synchronisation terminée")

    def book(self, day, hour, client, service, vehicle):
        self.stack.open(f"/agenda/book?date={day.isoformat()}&time={hour:02d}:00")
        form = self.stack.wait("form.fields")
        form.find_element(By.NAME, "client").send_keys(client)
        Select(form.find_element(By.NAME, "service")).select_by_visible_text(service)
        form.find_element(By.NAME, "vehicle").send_keys(vehicle)
        return form

    # --- the journey ------------------------------------------------------------------------

    def test_help_page_journey(self):
        stack, google = self.stack, self.stack.google

        # Paramètres > Calendrier externe, nothing connected yet.
        stack.open("/")
        stack.click("#nav-settings")
        stack.wait_text("h1", "Paramètres › Calendrier externe")
        stack.wait("#no-connection")
        self.see("01-settings-empty")
        cookie = stack.browser.get_cookie("garage_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Lax")

        # Connecter un calendrier > Google: the fake's consent page, clicked through.
        stack.click("#connect")
        stack.wait("#connect-google")
        self.see("02-connect")
        stack.click("#connect-google")
        consent = stack.wait("#allow")
        self.assertIn("calendar.events", stack.wait("#scopes").text)
        asked = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            stack.browser.current_url).query))
        self.assertEqual(asked["code_challenge_method"], "S256")
        self.assertEqual(asked["redirect_uri"], stack.base_url + "/oauth/google/callback")
        self.assertTrue(asked["state"])
        self.see("03-google-consent")
        consent.click()

        # Back in the app: choose the calendars and their direction.
        stack.wait_text("h1", f"Choisir les calendriers · {GOOGLE_ACCOUNT}")
        self.see("04-google-calendars")
        holidays = stack.wait('select[data-name="Jours fériés"]')
        disabled = [o.text for o in Select(holidays).options if not o.is_enabled()]
        self.assertEqual(disabled, ["Export seulement", "Bidirectionnel (recommandé)"])
        self.choose({"Atelier": "Bidirectionnel (recommandé)", "Famille": "Import seulement"})

        # An event in the Famille calendar, then Synchroniser maintenant.
        google.control("event", google_event("dentiste", "Dentiste", at(TUESDAY, 10),
                                             at(TUESDAY, 11)), calendar=PERSONAL)
        self.sync_now("google")
        section = self.connection_section("google")
        self.assertEqual(section.find_element(By.CSS_SELECTOR, ".sync-state").text, "à jour")
        rows = {r.find_element(By.CSS_SELECTOR, ".name").text:
                r.find_element(By.CSS_SELECTOR, ".direction").text
                for r in section.find_elements(By.CSS_SELECTOR, "tr.calendar")}
        self.assertEqual(rows, {"Atelier": "Bidirectionnel (recommandé)",
                                "Famille": "Import seulement"})
        health = section.find_element(By.CSS_SELECTOR, 'li[data-check="credentials"]')
        self.assertEqual(health.get_attribute("class"), "ok")
        self.assertIn("accepted the sign-in", health.text)  # the health check's own words
        self.see("05-settings-google")

        # The agenda: the event greyed, labelled with its calendar's name, not bookable.
        stack.click("#nav-agenda")
        self.show_week(MONDAY)
        for minute in (0, 30):
            cell = self.cell(TUESDAY, 10, minute)
            self.assertEqual(cell.get_attribute("class").split()[0], "external")
            self.assertEqual(cell.find_elements(By.TAG_NAME, "a"), [])
        self.assertEqual(self.cell(TUESDAY, 10).text, "Famille")
        self.assertEqual(self.cell(TUESDAY, 11).get_attribute("class"), "free")

        # A booking: exported to the Atelier calendar with client, service and vehicle.
        form = self.book(TUESDAY, 14, "Mme Lefèvre", "Contrôle des freins",
                         "Peugeot 308 GH-512-KL")
        self.see("06-booking")
        form.find_element(By.ID, "confirm-booking").click()
        stack.wait_text(".message.ok", "Rendez-vous confirmé")
        self.assertEqual(self.cell(TUESDAY, 14).get_attribute("class"), "appointment first")
        self.assertEqual(self.cell(TUESDAY, 14).text, "Contrôle des freins")
        self.assertEqual(self.cell(TUESDAY, 14, 30).text, "Mme Lefèvre")
        self.assertEqual(self.cell(TUESDAY, 14).get_attribute("title"),
                         "Contrôle des freins · Mme Lefèvre (Peugeot 308 GH-512-KL)")
        exported = eventually(lambda: [e for e in google.control("events",
                                                                  calendar=GOOGLE_ACCOUNT)
                                       if e.get("status") == "confirmed"],
                              "the appointment in Google's Atelier calendar")
        [event] = exported
        text = event["summary"] + "\n" + event.get("description", "")
        for detail in ("Mme Lefèvre", "Contrôle des freins", "Peugeot 308 GH-512-KL"):
            self.assertIn(detail, text)
        self.assertEqual(dt.datetime.fromisoformat(event["start"]["dateTime"]),
                         at(TUESDAY, 14))
        self.show_week(MONDAY)
        self.see("07-agenda")

        # A time someone took in their Google calendar since the agenda was drawn.
        form = self.book(WEDNESDAY, 9, "M. Martin", "Vidange", "Renault Clio")
        google.control("event", google_event("banque", "Banque", at(WEDNESDAY, 9),
                                             at(WEDNESDAY, 10)), calendar=PERSONAL)
        form.find_element(By.ID, "confirm-booking").click()
        stack.wait_text(".message.error", "Ce créneau vient d'être pris dans un calendrier "
                        "externe. Choisissez un autre horaire.")
        self.see("08-booking-refused")
        self.assertEqual([a.client for a in self.stack.app.extensions["calsync_web"]
                          .client.appointments()], ["Mme Lefèvre"])

        # The dentist is cancelled in Google: after a sync the slot is free again.
        google.control("delete", calendar=PERSONAL, id="dentiste")
        stack.open("/settings/external-calendar")
        self.sync_now("google")
        self.show_week(MONDAY)
        self.assertEqual(self.cell(TUESDAY, 10).get_attribute("class"), "free")

        # A change Google pushes is synced without a click: the channel's notification
        # reaches /push (as Google would call it), the scheduler syncs.
        google.control("event", google_event("garage-ferme", "Formation", at(THURSDAY, 11),
                                             at(THURSDAY, 12)), calendar=PERSONAL)
        notification = [n for n in google.control("notifications")
                        if n["headers"]["X-Goog-Resource-State"] == "exists"][-1]
        self.assertEqual(notification["address"], stack.push_url + "/push")
        status, _, _ = stack.deliver("/push", notification["headers"])
        self.assertEqual(status, 200)

        def pushed_event_shown():
            self.show_week(MONDAY)
            return "external" in self.cell(THURSDAY, 11).get_attribute("class")
        eventually(pushed_event_shown, "the pushed event greyed in the agenda")

        # Another CalDAV server (Radicale): a refused password is never shown back.
        radicale = stack.radicale.info
        stack.open("/settings/external-calendar/connect")
        stack.click("#connect-caldav")
        form = stack.wait("form.fields")
        form.find_element(By.NAME, "url").send_keys(radicale["url"])
        form.find_element(By.NAME, "username").send_keys(radicale["user"])
        form.find_element(By.NAME, "password").send_keys("wrong-password")
        form.find_element(By.ID, "submit").click()
        stack.wait_text(".message.error", "Le serveur a refusé l'identifiant ou le mot de passe")
        self.see("09-caldav-refused")
        self.assertNotIn("wrong-password", stack.browser.page_source)
        form = stack.wait("form.fields")
        self.assertEqual([form.find_element(By.NAME, n).get_attribute("value")
                          for n in ("url", "username", "password")],
                         [radicale["url"], radicale["user"], ""])

        # iCloud's form (Apple ID and app-specific password), here on the same Radicale.
        stack.open("/settings/external-calendar/connect")
        stack.click("#connect-icloud")
        help_link = stack.wait("#app-password-help")
        self.assertEqual(help_link.get_attribute("href"), "https://support.apple.com/fr-fr/102654")
        self.see("10-icloud")
        form = stack.wait("form.fields")
        form.find_element(By.NAME, "username").send_keys(radicale["user"])
        form.find_element(By.NAME, "password").send_keys(radicale["password"])
        form.find_element(By.ID, "submit").click()
        self.choose({"Workshop": "Export seulement"})
        self.sync_now("icloud")
        on_radicale = eventually(lambda: [t for t in stack.radicale.events().values()
                                          if "Mme Lefèvre" in t],
                                 "the appointment on Radicale")
        self.assertIn("Peugeot 308 GH-512-KL", on_radicale[0])
        self.see("11-settings-two-accounts")

        # Déconnecter, with its confirmation: the exported events stay.
        for kind, still_there in (
                ("icloud", lambda: [t for t in stack.radicale.events().values()
                                    if "Mme Lefèvre" in t]),
                ("google", lambda: [e for e in google.control("events",
                                                              calendar=GOOGLE_ACCOUNT)
                                    if e.get("status") == "confirmed"])):
            stack.open("/settings/external-calendar")
            section = self.connection_section(kind)
            account = section.find_element(By.CSS_SELECTOR, ".account").text
            section.find_element(By.CSS_SELECTOR, "a.disconnect").click()
            stack.wait_text("#exports-stay",
                            "Les événements déjà exportés restent dans le calendrier externe.")
            self.see(f"12-disconnect-{kind}")
            stack.click("#confirm-disconnect")
            stack.wait_text(".message.ok", f"{account} est déconnecté.")
            self.assertEqual(stack.browser.find_elements(
                By.CSS_SELECTOR, f'section.connection[data-kind="{kind}"]'), [])
            self.assertEqual(len(still_there()), 1, kind)
        self.assertTrue(google.control("tokens")["revoked"])  # Google's grant withdrawn
        self.show_week(MONDAY)
        self.assertEqual(self.cell(THURSDAY, 11).get_attribute("class"), "free")
        self.assertEqual(self.cell(TUESDAY, 14).get_attribute("class"), "appointment first")

        # The team feed, as a teammate's calendar app subscribes to it: the appointment;
        # its address never reached a log.
        stack.open("/settings/external-calendar")
        feed_url = stack.wait("#team-feed-url").get_attribute("value")
        status, headers, feed = http("GET", feed_url)
        self.assertEqual((status, headers["Content-Type"]),
                         (200, "text/calendar; charset=utf-8"))
        unfolded = feed.decode().replace("\r\n ", "")
        self.assertIn("Mme Lefèvre", unfolded)
        self.assertIn("X-WR-CALNAME:Rendez-vous · Garage Dupont", unfolded)
        self.assertNotIn(feed_url.rsplit("/", 1)[1], stack.logs.text())
        self.assertEqual(http("GET", feed_url.replace(".ics", "x.ics"))[0], 404)

        self.assert_no_secret_shown(extra=[radicale["password"], "wrong-password"])

    def test_outlook_consent_push_and_notification(self):
        stack, graph = self.stack, self.stack.graph
        next_monday = MONDAY + dt.timedelta(days=7)

        # "Deny" on the consent page: nothing connected, a clear message.
        stack.open("/settings/external-calendar/connect")
        stack.click("#connect-microsoft")
        stack.click("#deny")
        stack.wait_text(".message.error",
                        "Connexion annulée : l'accès au calendrier n'a pas été autorisé.")
        self.assertEqual(stack.browser.find_elements(
            By.CSS_SELECTOR, 'section.connection[data-kind="microsoft"]'), [])

        stack.open("/settings/external-calendar/connect")
        stack.click("#connect-microsoft")
        stack.wait("#allow")
        self.see("13-outlook-consent")
        stack.click("#allow")
        stack.wait_text("h1", "Choisir les calendriers")
        [default] = [c for c in graph.control("calendars") if c["isDefaultCalendar"]]
        # Import only: Graph validates the subscription against the push address first.
        self.choose({default["name"]: "Import seulement"})
        [subscription] = graph.control("stats")["subscriptions"]
        self.assertTrue(subscription["notificationUrl"].startswith(stack.push_url + "/push?"))
        section = self.connection_section("microsoft")
        self.assertEqual(section.find_element(By.CSS_SELECTOR, ".direction").text,
                         "Import seulement")

        # Another app adds an event; Graph notifies the push address; no click.
        utc = "%Y-%m-%dT%H:%M:%SZ"
        event = graph.control("event", {
            "subject": "Rendez-vous comptable",
            "start": at(next_monday, 15).astimezone(dt.timezone.utc).strftime(utc),
            "end": at(next_monday, 16).astimezone(dt.timezone.utc).strftime(utc)})
        answer = graph.control("notify", {"subscription_id": subscription["id"],
                                          "change_type": "created", "event_id": event["id"]})
        self.assertEqual(answer["status"], 202)

        def shown():
            self.show_week(next_monday)
            return "external" in self.cell(next_monday, 15).get_attribute("class")
        eventually(shown, "the Outlook event greyed in the agenda")
        self.see("14-agenda-outlook")
        self.assert_no_secret_shown()

    # --- secrets ------------------------------------------------------------------------------

    def assert_no_secret_shown(self, extra=()):
        """No page seen and no log line holds the host key, the OAuth client secret, a
        token either fake issued, or the given secrets."""
        stack = self.stack
        secrets = [stack.host_key, stack.google_secret, *extra]
        secrets += stack.google.control("tokens")["issued"]
        secrets += stack.graph.control("tokens")["issued"]
        logs = stack.logs.text()
        for secret in secrets:
            self.assertNotIn(secret, logs)
            for name, source in self.pages:
                self.assertNotIn(secret, source, name)


if __name__ == "__main__":
    unittest.main()
