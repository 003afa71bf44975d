"""The Flask app: volunteer, calling, organiser and voice-webhook blueprints over the core's services."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dialer.adapters import live
from dialer.bootstrap import Services, build
from dialer.config import Mode, Settings
from web import access, admission, browser_security, errors, identity, request_json, request_text
from web.converters import RecordId
from web.extensions import csrf, limiter, login_manager, socketio


def create_app(
    settings: Settings | None = None, services: Services | None = None, *, async_mode: str = "threading"
) -> Flask:
    """Build the app; with no arguments, read the environment and connect to everything.

    `async_mode` is Flask-SocketIO's: "threading" under a threaded server (tests, werkzeug), "gevent"
    under gunicorn's gevent worker (`dialer serve`, see web/server.py).
    """
    settings = settings or (services.settings if services else Settings.from_env())
    services = services or build(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.mode is Mode.TEST,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
    )
    app.extensions["marginal"] = services
    app.url_map.converters["int"] = RecordId
    register_extensions(app, services, async_mode)
    register_security(app, settings)
    register_blueprints(app)
    if settings.shows_local_mailbox:  # the demo's: never in production
        from web import mailbox_pages

        app.register_blueprint(mailbox_pages.bp)
    if settings.trusted_proxies:  # outermost, so Socket.IO and the rate limits see the client's address
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    admission.install(app, settings)  # outermost of all: a refusal costs nothing more
    return app


def register_security(app: Flask, settings: Settings) -> None:
    """Headers, cookie flags, session expiry, refusal of undeclared endpoints, of JSON beyond its limits
    and of NUL text, error pages."""
    browser_security.protect(app, settings)
    identity.expire_sessions(app)
    access.guard_undeclared(app)
    request_json.refuse_unreadable_json(app)
    request_text.refuse_nul_characters(app)
    errors.register_error_handlers(app)


def register_extensions(app: Flask, services: Services, async_mode: str = "threading") -> None:
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = _limits_storage_uri(services.redis_url)
    app.config["RATELIMIT_KEY_PREFIX"] = "marginal-limits"
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(identity.load_account)

    options: dict[str, object] = {}
    if services.settings.mode is not Mode.TEST:
        # Tests run one process; the Redis relay would only add a listener thread per app.
        options["client_manager"] = live.message_queue(services.redis_url)
    from web import sockets

    sockets.register(socketio)  # before init_app, which hands registered namespaces to each new server
    socketio.init_app(
        app,
        async_mode=async_mode,
        cors_allowed_origins=[services.settings.public_base_url],
        **options,
    )


def register_blueprints(app: Flask) -> None:
    from web import account_pages, admin, auth, calling, home, marginals, signup_blueprints, vendor, voice

    app.register_blueprint(home.bp)
    app.register_blueprint(marginals.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account_pages.bp)
    app.register_blueprint(calling.bp)
    app.register_blueprint(voice.bp)
    admin.register(app)
    signup_blueprints.register(app)
    from web import campaign_pages, dashboard_pages, follow_up_pages

    app.register_blueprint(campaign_pages.bp)
    app.register_blueprint(dashboard_pages.bp)
    app.register_blueprint(follow_up_pages.bp)
    from web import (
        birds_eye_pages,
        cascade_pages,
        knock_up_pages,
        privacy,
        shift_pages,
        text_pages,
        where_needed_pages,
    )

    app.register_blueprint(shift_pages.bp)
    app.register_blueprint(where_needed_pages.bp)
    app.register_blueprint(text_pages.bp)
    app.register_blueprint(cascade_pages.bp)
    app.register_blueprint(birds_eye_pages.bp)
    app.register_blueprint(knock_up_pages.bp)
    app.register_blueprint(privacy.bp)


def _limits_storage_uri(redis_url: str) -> str:
    """The `limits` library spells Redis over a unix socket `redis+unix://`."""
    return (
        "redis+unix://" + redis_url.removeprefix("unix://") if redis_url.startswith("unix://") else redis_url
    )
