"""Outlook's throttling as Graph passes it on (concepts/throttling.md, throttling-limits:
"Outlook service limits" are per app and mailbox): 429 with error code
ApplicationThrottled and a Retry-After in seconds. A client must wait that long; a request
of the same app to the mailbox before then is throttled again (and, at Outlook, prolongs the
penalty), so the fake answers it 429 as well and counts it as a violation for the tests."""
import math
import time

from graph_values import GraphError

MESSAGE = "Application is over its MailboxConcurrency limit."


class Throttle:
    def __init__(self):
        self.until = 0.0
        self.violations = []  # routes requested while the client had been told to wait

    def answered(self, retry_after):
        """A 429 (or 503) with Retry-After went out: the client waits until then."""
        try:
            seconds = float(retry_after)
        except (TypeError, ValueError):
            return
        self.until = max(self.until, time.time() + seconds)

    def check(self, route):
        """429 for a request that came before the Retry-After it was given had passed."""
        left = self.until - time.time()
        if left <= 0:
            return
        self.violations.append(route)
        raise GraphError(429, "ApplicationThrottled", MESSAGE,
                         [("Retry-After", str(max(1, math.ceil(left))))])
