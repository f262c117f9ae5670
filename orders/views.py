"""Pages of the orders domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

bp = Blueprint("orders", __name__, template_folder="templates")
