from flask import Blueprint

bp = Blueprint("shifts", __name__)
