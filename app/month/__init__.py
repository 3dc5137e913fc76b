from flask import Blueprint

bp = Blueprint("month", __name__)
