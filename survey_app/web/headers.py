"""Security headers on every response, set in one place (docs/security.md explains each).

Pages load scripts, styles, images and fonts only from this site and run no inline script:
data for scripts sits in <script type="application/json"> blocks or data- attributes, which a
browser never runs. Styles may also come from style attributes and <style> elements that
plotly.js creates while it draws a chart ('unsafe-inline' for styles only: a style cannot run
code). No other site may show a page in a frame, and the address of a page (which may carry an
invitation token or a resume code) goes only to this site as referrer.

A response that sets its own Content-Security-Policy keeps it: the downloaded HTML report, a
self-contained file with plotly.js and its charts inline, is sent as an attachment with the
policy REPORT_POLICY, which lets its inline scripts run in a sandbox without this site's origin.
"""
from __future__ import annotations

from flask import Flask

POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# The report is one file with everything inline; opened from disk no policy applies, served by
# the app it may run its own inline scripts only, sandboxed (an origin of its own: no cookies,
# no requests to this site), and fetch nothing.
REPORT_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'unsafe-inline'",
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "font-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "sandbox allow-scripts allow-downloads",
))

HSTS_SECONDS = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    headers = {
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",                  # frame-ancestors for browsers without CSP 2
        "Referrer-Policy": "same-origin",           # form checks under HTTPS need it on this site
    }
    if app.config.get("PREFERRED_URL_SCHEME") == "https":   # SURVEY_APP_HTTPS=1
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"

    @app.after_request
    def security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
