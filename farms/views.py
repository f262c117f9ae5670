"""Pages of the farms domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

from farms import models  # noqa: F401  (the models must be known to the migrations)

bp = Blueprint("farms", __name__, template_folder="templates")
