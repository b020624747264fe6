"""What each error page says. Friendly, and never a detail of what went wrong inside."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict


@dataclass(frozen=True)
class ErrorPage:
    code: int
    title: str
    message: str


_PAGES = {
    400: ErrorPage(
        400,
        "Bad request",
        "Something in that request did not look right. Go back, reload the page and try again.",
    ),
    403: ErrorPage(403, "Not allowed", "You don't have permission to do that."),
    404: ErrorPage(
        404,
        "Page not found",
        "There is nothing here. The link may be broken, or the page may have been removed.",
    ),
    405: ErrorPage(405, "Not allowed here", "That action isn't available at this address."),
    413: ErrorPage(
        413, "Too large", "What you sent is larger than Sapling accepts. Try a smaller file."
    ),
    429: ErrorPage(
        429, "Slow down", "Too many attempts in a short time. Please wait a moment and try again."
    ),
    500: ErrorPage(
        500,
        "Something went wrong",
        "We couldn't finish that request, and nothing was half-saved. "
        "Please try again in a moment.",
    ),
    503: ErrorPage(
        503,
        "Temporarily unavailable",
        "Sapling can't reach its database right now, so nothing from this request was "
        "saved. Please try again in a minute.",
    ),
    507: ErrorPage(
        507,
        "Out of storage space",
        "Sapling has run out of storage space, so your photo was not saved and nothing "
        "was posted. Please try again later; the problem has been logged for the people "
        "who run this site.",
    ),
}

CSRF_MESSAGE = (
    "This form has expired or was not sent from this site. Reload the page and try again."
)


def error_page(code: int) -> ErrorPage:
    """The page for an HTTP error code; unlisted codes fall back by class."""
    if code in _PAGES:
        return _PAGES[code]
    return (
        _PAGES[500]
        if code >= 500
        else ErrorPage(code, "Request not completed", _PAGES[400].message)
    )


# The form being sent again from the 503 page, minus its CSRF token (the page has its own).
_NOT_RESENT = frozenset({"csrf_token"})


def resent_fields(form: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The fields of a form that could not be handled yet, for the page that sends it again."""
    return [(name, value) for name, values in form.lists() if name not in _NOT_RESENT
            for value in values]  # fmt: skip
