from flask import Blueprint

bp = Blueprint("frontdesk", __name__)
