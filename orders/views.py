"""Pages of the orders domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

from orders import models  # noqa: F401  (the models must be known to the migrations)

bp = Blueprint("orders", __name__, template_folder="templates")
