"""Pages of the traceability domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

from traceability import models  # noqa: F401  (the tables must be known to the app)

bp = Blueprint("traceability", __name__, template_folder="templates")
