"""The request class: Flask's, with a body limit that follows the endpoint.

``MAX_CONTENT_LENGTH`` bounds every body (a post of ten photos); the import page alone
takes an archive of up to ``IMPORT_MAX_BYTES``, and the new-post form a video of up to
``VIDEO_MAX_BYTES`` if that is larger. The limit is read when the body is
parsed, which is after the URL is matched, so the endpoint is known by then (and before
the CSRF check, which reads the form, so that check cannot run first with the small
limit). A limit set on the request itself still wins, as in Flask.
"""

from __future__ import annotations

from flask import Request, current_app

LARGE_BODIES = {
    "imports.start": ("IMPORT_MAX_BYTES",),
    "posts.new": ("VIDEO_MAX_BYTES", "MAX_CONTENT_LENGTH"),
}
# Room for the rest of the form around the archive; the service refuses an archive past
# its limit itself, with a message rather than a bare 413.
FORM_ROOM = 64 * 1024


class SaplingRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        rule = self.url_rule
        settings = LARGE_BODIES.get(rule.endpoint) if rule is not None else None
        if self._max_content_length is None and settings is not None and current_app:
            return max(int(current_app.config[name]) for name in settings) + FORM_ROOM
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
