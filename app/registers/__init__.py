from flask import Blueprint

bp = Blueprint("registers", __name__)
