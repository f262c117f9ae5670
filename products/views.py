"""Pages of the products domain; the blueprint is registered by app.create_app()."""

from flask import Blueprint

bp = Blueprint("products", __name__, template_folder="templates")
