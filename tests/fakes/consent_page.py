"""The consent page an authorization endpoint shows a browser, for the fakes that are asked
to (Google's and Graph's: POST /_control/config {"consent_page": true}). Without it they
consent at once (a 302), as the tests that follow the redirect with an HTTP client expect.

GET on the authorization endpoint answers this page: the client and the scopes asked,
and a form that posts the request's parameters back to the same endpoint with the
person's choice, "allow" (the fake then answers as it would have at once) or "deny"
(RFC 6749 4.1.2.1: a redirect with error=access_denied and the state).
"""
import html
import urllib.parse

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{service}: sign in</title></head>
<body>
<h1>{service}</h1>
<p id="client">{client} wants to access your account:</p>
<ul id="scopes">{scopes}</ul>
<form method="post" action="">{hidden}
<button type="submit" name="consent" value="allow" id="allow">Allow</button>
<button type="submit" name="consent" value="deny" id="deny">Deny</button>
</form>
</body></html>
"""


def page(service, params):
    """The page for an authorization request's parameters (a dict), as bytes."""
    e = html.escape
    hidden = "".join(f'\n<input type="hidden" name="{e(k)}" value="{e(v)}">'
                     for k, v in params.items())
    scopes = "".join(f"<li>{e(s)}</li>" for s in params.get("scope", "").split())
    return TEMPLATE.format(service=e(service), client=e(params.get("client_id", "")),
                           scopes=scopes, hidden=hidden).encode()


def decision(form):
    """(the authorization request's parameters, whether the person allowed) from the
    page's posted form (a dict)."""
    params = {k: v for k, v in form.items() if k != "consent"}
    return params, form.get("consent") == "allow"


def denied(params):
    """Where a refusal sends the browser: the redirect URI with error=access_denied."""
    back = {"error": "access_denied"}
    if "state" in params:
        back["state"] = params["state"]
    redirect = params.get("redirect_uri", "")
    return redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(back)
