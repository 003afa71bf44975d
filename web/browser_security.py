"""What the browser is told to enforce: security headers (via the `secure` library) and cookie flags.

The Content-Security-Policy allows only this site's own scripts, styles and images (no inline
scripts or `style=` attributes anywhere), WebSocket connections back to this site, and, for the
softphone, the telephony backend: the bundled simulator's origin in simulator mode, Twilio's voice
endpoints with real Twilio. Pages cannot be framed. The Permissions-Policy turns off every powerful
feature except the microphone (and speaker selection, autoplay) for this site's softphone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import secure
from flask import Flask, Response

from dialer.config import Settings

SELF = "'self'"
NONE = "'none'"
#: Twilio Voice JS SDK endpoints (signalling over WebSocket, ringtones from its CDN).
TWILIO_CONNECT = ("https://*.twilio.com", "wss://*.twilio.com")
TWILIO_MEDIA = ("https://media.twiliocdn.com", "https://sdk.twilio.com")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _websocket_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def content_security_policy(settings: Settings) -> secure.ContentSecurityPolicy:
    connect = [SELF, _websocket_origin(settings.public_base_url)]
    media = [SELF, "blob:", "mediastream:"]
    if settings.uses_simulator:
        connect += [_origin(settings.simulator_url), _websocket_origin(settings.simulator_url)]
        media.append(_origin(settings.simulator_url))
    else:
        connect += TWILIO_CONNECT
        media += TWILIO_MEDIA
    return (
        secure.ContentSecurityPolicy()
        .default_src(SELF)
        .script_src(SELF)
        .style_src(SELF)
        .img_src(SELF, "data:")
        .font_src(SELF)
        .connect_src(*dict.fromkeys(connect))
        .media_src(*dict.fromkeys(media))
        .object_src(NONE)
        .base_uri(NONE)
        .form_action(SELF)
        .frame_ancestors(NONE)
    )


def permissions_policy() -> secure.PermissionsPolicy:
    return (
        secure.PermissionsPolicy()
        .microphone("self")
        .speaker_selection("self")
        .autoplay("self")
        .camera()
        .display_capture()
        .geolocation()
        .payment()
        .usb()
        .serial()
        .hid()
        .bluetooth()
        .accelerometer()
        .gyroscope()
        .magnetometer()
        .browsing_topics()
    )


def security_headers(settings: Settings) -> secure.Secure:
    https = settings.public_base_url.startswith("https://")
    return secure.Secure(
        csp=content_security_policy(settings),
        permissions=permissions_policy(),
        hsts=secure.StrictTransportSecurity().max_age(63_072_000) if https else None,
        referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
        xcto=secure.XContentTypeOptions().nosniff(),
        xfo=secure.XFrameOptions().deny(),
        coop=secure.CrossOriginOpenerPolicy().same_origin(),
        corp=secure.CrossOriginResourcePolicy().same_origin(),
    )


def protect(app: Flask, settings: Settings) -> None:
    """Harden the session cookie and add the security headers to every response."""
    https = settings.public_base_url.startswith("https://")
    app.config.update(
        # __Host- cookies must be Secure, path /, with no Domain: no subdomain can plant or read them.
        SESSION_COOKIE_NAME="__Host-marginal" if https else "marginal_session",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # A CSRF token lives as long as the session it belongs to (a phone bank lasts hours).
        WTF_CSRF_TIME_LIMIT=None,
    )
    headers = security_headers(settings)

    @app.after_request
    def _add_headers(response: Response) -> Response:
        headers.set_headers(response)
        if "Cache-Control" not in response.headers:
            # Pages are personal (names, forms with tokens): no cache may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
