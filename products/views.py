"""Pages of the products domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

from products import models  # noqa: F401  (the models must be known to the migrations)

bp = Blueprint("products", __name__, template_folder="templates")
