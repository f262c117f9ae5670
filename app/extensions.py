"""Flask extensions, created unbound and attached to the app in create_app()."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def client_address() -> str:
    # request.remote_addr is already the client's once ProxyFix trusted the proxies.
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address)
