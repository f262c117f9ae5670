"""Pages of the farms domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

bp = Blueprint("farms", __name__, template_folder="templates")
