"""Callbacks (回访) for everything: repairs, complaints and intakes marked for follow-up."""
from flask import Blueprint

bp = Blueprint("callbacks", __name__)
