from flask import Blueprint

bp = Blueprint("repairs", __name__)
