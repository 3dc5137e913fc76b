from flask import Blueprint

bp = Blueprint("handovers", __name__)
