"""Security headers on every response.

A small after-request hook rather than Flask-Talisman: Talisman's last release
is from 2023, nginx already does the HTTPS redirect it offers, and the policy
we want is short enough to read in one screen and to assert header by header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "browsing-topics=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "payment=()",
        "usb=()",
        "publickey-credentials-get=(self)",
        "publickey-credentials-create=(self)",
    ]
)


def security_headers(hsts_seconds: int, media_origin: str = "") -> dict[str, str]:
    csp = CONTENT_SECURITY_POLICY
    if media_origin:
        csp = csp.replace("img-src 'self'", f"img-src 'self' {media_origin}")
        csp = csp.replace("media-src 'self'", f"media-src 'self' {media_origin}")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if hsts_seconds > 0:
        csp += "; upgrade-insecure-requests"
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    headers["Content-Security-Policy"] = csp
    return headers


def origin_of(url: str) -> str:
    """A CSP source for a URL's host alone: a bucket's URL may carry a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def install_security_headers(app: Flask) -> None:
    media_origin = origin_of(app.config["MEDIA_PUBLIC_URL"])
    headers = security_headers(int(app.config["HSTS_SECONDS"]), media_origin)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
