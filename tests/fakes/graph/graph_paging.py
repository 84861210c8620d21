"""Paging and change tracking as Graph does them: calendarView/delta rounds with opaque
$skiptoken / $deltatoken state tokens (concepts/delta-query-overview.md,
delta-query-events.md), and @odata.nextLink paging of plain collections.

- Query parameters go on the first request only; the tokens carry them.
- A page may be empty and still carry a nextLink.
- @removed {"reason": "deleted"} for events deleted in the window and for events outside
  the window that were added, changed or deleted since the last round.
- Replays (a change reported again next round) and duplicates (one entity twice in a
  round) can be switched on; clients must tolerate both.
- Tokens can be expired on demand: 410 with syncStateNotFound, 400 with syncStateNotFound
  (delta-query-overview.md: expired tokens come as "40X-series" errors), or 410 with a
  Location whose $deltatoken is empty (a reset).
"""
import secrets

from graph_values import GraphError


class Paging:
    def __init__(self, mailbox, config):
        self.mailbox, self.config = mailbox, config
        self.skip = {}   # $skiptoken -> (pages left, final link kind, final state)
        self.delta = {}  # $deltatoken -> (version, window)
        self.expired_mode = None
        self.expired_status = 410

    def expire(self, mode, status=410):
        """Forget every state token; the next use answers `status` (`mode`:
        syncStateNotFound or reset)."""
        self.skip.clear()
        self.delta.clear()
        self.expired_mode, self.expired_status = mode, status

    def gone(self, base):
        if self.expired_mode == "reset":
            return GraphError(410, "resyncRequired",
                              "The delta token is no longer valid, and the app must reset the "
                              "sync state.",
                              [("Location", base + "/me/calendarView/delta?$deltatoken=")])
        return GraphError(self.expired_status, "SyncStateNotFound",
                          "The sync state generation is not found; generation=149;[highest=157]")

    def pages_of(self, items, page_size):
        pages = [items[i:i + page_size] for i in range(0, len(items), page_size)] or [[]]
        if self.config.get("empty_pages"):
            spaced = []
            for p in pages:
                spaced += [p, []]
            pages = spaced
        return pages

    def start_list(self, items, page_size, base_link, final=None):
        """The first page of a paged answer; the rest wait behind $skiptoken links."""
        pages = self.pages_of(items, page_size)
        return self._answer(pages, base_link, final)

    def _answer(self, pages, base_link, final):
        first, rest = pages[0], pages[1:]
        out = {"value": first}
        if rest:
            token = secrets.token_urlsafe(12)
            self.skip[token] = (rest, base_link, final)
            out["@odata.nextLink"] = f"{base_link}?$skiptoken={token}"
        elif final is not None:
            token = secrets.token_urlsafe(12)
            self.delta[token] = final
            out["@odata.deltaLink"] = f"{base_link}?$deltatoken={token}"
        return out

    def continue_list(self, token, base):
        if token not in self.skip:
            raise self.gone(base)
        # Tokens stay valid until they expire: a client repeating a request after a
        # lost answer gets the same page again.
        pages, base_link, final = self.skip[token]
        return self._answer(pages, base_link, final)

    # --- calendarView/delta ---------------------------------------------------------------

    def delta_round(self, calendar_id, window, since, zone, page_size, base_link):
        """Items of a delta round over `window` since version `since` (None: the initial
        round lists what is there)."""
        mb = self.mailbox
        items = []
        if since is None:
            for event, iid, kind, k, start, end, over in sorted(
                    mb.all_instances(calendar_id), key=lambda i: (i[4], i[1])):
                if mb.overlaps(start, end, window):
                    items.append(mb.render(event, iid, kind, k, start, end, over, zone))
        else:
            since = max(0, since - int(self.config.get("replay", 0)))
            changed = sorted((v, iid) for iid, v in mb.instance_version.items() if v > since)
            for _, iid in changed:
                removed = {"@odata.type": "#microsoft.graph.event", "id": iid,
                           "@removed": {"reason": "deleted"}}
                if iid in mb.tombstones:
                    items.append(removed)
                    continue
                inst = mb.instance(iid)
                if inst[0].calendar_id != calendar_id:
                    continue
                event, iid, kind, k, start, end, over = inst
                if mb.overlaps(start, end, window):
                    items.append(mb.render(event, iid, kind, k, start, end, over, zone))
                else:
                    items.append(removed)  # outside the window: reported as removed
        if self.config.get("duplicates") and items:
            items = items + items[: len(items) // 2 + 1]
        final = (mb.version, window, calendar_id)
        return self.start_list(items, page_size, base_link, final)

    def delta_from_token(self, token, zone, page_size, base_link, base):
        if token not in self.delta:
            raise self.gone(base)
        version, window, calendar_id = self.delta[token]
        return self.delta_round(calendar_id, window, version, zone, page_size, base_link)
