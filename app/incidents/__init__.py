"""Incidents (特殊事件): what happened at a post or on a round, its follow-ups until a supervisor closes it."""
from flask import Blueprint

bp = Blueprint("incidents", __name__)
