"""Where Google channels and Microsoft Graph subscriptions deliver their notifications:
the address given to Connection.watch (CALSYNC_WEB_PUSH_URL + /push).

The request goes to calsync as it came (client.handle_push), which tells a Google
notification (X-Goog-* headers), Graph's validation handshake (?validationToken=) and a
Graph notification (JSON body) apart, checks each against the host key, and answers what
to reply. It makes no network request, so Graph's 3-second limit is kept; the sync the
notification asks for is the scheduler's, woken here.
"""
from __future__ import annotations

import logging

import calsync
from flask import Blueprint, Response, request

from .service import calendars

bp = Blueprint("push", __name__)
log = logging.getLogger("calsync_web.push")


@bp.post("/push")
def receive():
    service = calendars()
    try:
        answer = service.client.handle_push(
            "POST", request.query_string.decode("latin-1"), dict(request.headers),
            request.get_data(as_text=True))
    except calsync.AuthError:  # forged, or signed with another key: nothing was marked
        log.warning("push notification refused (not genuine)")
        return Response(status=403)
    except calsync.LimitError:
        return Response(status=413)
    except calsync.InvalidArgumentError as e:
        log.warning("push request refused: %s", e.message)
        return Response(status=400)
    if answer.marked:
        service.scheduler.wake()
    if answer.renew_due:  # Graph's reauthorizationRequired
        service.scheduler.wake(renew=True)
    log.info("push %s: %d calendar(s) due%s", answer.source, len(answer.marked),
             f" ({answer.ignored})" if answer.ignored else "")
    return Response(answer.body, status=answer.status,
                    content_type=answer.content_type or None)
