"""Flask extensions, created unbound and attached to an app by create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

socketio = SocketIO()
csrf = CSRFProtect()
#: Per-client rate limits, counted in Redis so every web process shares them.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
login_manager = LoginManager()
login_manager.session_protection = "strong"
