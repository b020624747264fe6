"""Refuse text input that no form field can legitimately contain.

A NUL byte cannot be stored in PostgreSQL text, and would turn a lookup into a
database error (a 500). No Sapling field accepts one, so such requests get a
400 before any controller runs, wherever it comes in: the path, the
query string or a form field. Uploaded files are not inspected here.
"""

from __future__ import annotations

from flask import Flask, abort, request


def install_input_guard(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes() -> None:
        if "\x00" in request.path:  # /@%00 would reach a username lookup
            abort(400)
        sources = [request.args] if request.method == "GET" else [request.args, request.form]
        for values in sources:
            for key, value in values.items(multi=True):
                # (A key or value that is no string comes only from a test client's
                # request object, never from a parsed body; it is left to the view.)
                if "\x00" in str(key or "") or "\x00" in str(value or ""):
                    abort(400)
