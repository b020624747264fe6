"""OAuth 2 for apps: the consent page, the token and revocation endpoints.

The protocol is Authlib's (services/api/oauth.py). The consent page needs a session that
proved who it is in the last five minutes, with the second step where the account has
one (``second_step_fresh_required``: a password alone does not do then). It shows the
app, its website, each scope asked for and where the answer goes, and is a CSRF-checked
form like every other. The token and revocation endpoints are for apps, which
authenticate with their client secret: no cookie, no CSRF.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from app.controllers.support.authentication import second_step_fresh_required, signed_in_user
from app.controllers.support.limits import configured
from app.core.database import keep_changes_on_error
from app.extensions import csrf, limiter
from app.forms.oauth import ConsentForm
from app.services.api import oauth
from app.views.api import consent_view

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


@bp.route("/authorize", methods=["GET", "POST"])
@second_step_fresh_required
def authorize() -> ResponseReturnValue:
    user = signed_in_user()
    try:
        grant = oauth.consent_request(user)
    except OAuth2Error as error:  # never a redirect to where the app has not registered
        return render_template("oauth/refused.html", reason=error.description or error.error), 400
    form = ConsentForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        allowed = form.allow.data
        response = oauth.authorize(grant, user if allowed else None, keep_signed_in=form.keep.data)
        if grant.redirect_uri == oauth.OUT_OF_BAND:
            answer = parse_qs(urlsplit(response.headers.get("Location", "")).query)
            code = answer.get("code", [""])[0]
            return render_template("oauth/code.html", app=consent_view(grant), code=code)
        return response
    return render_template("oauth/authorize.html", form=form, app=consent_view(grant))


@bp.post("/token")
@limiter.limit(configured("RATELIMIT_OAUTH_TOKEN"))
def token() -> ResponseReturnValue:
    keep_changes_on_error()  # a code is spent when first shown, even if the exchange fails
    return oauth.token_response()


@bp.post("/revoke")
@limiter.limit(configured("RATELIMIT_OAUTH_TOKEN"))
def revoke() -> ResponseReturnValue:
    return oauth.revocation_response()


# For apps, which prove themselves with their client secret; no cookie is read.
csrf.exempt(token)
csrf.exempt(revoke)
