"""Pages of the traceability domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

bp = Blueprint("traceability", __name__, template_folder="templates")
