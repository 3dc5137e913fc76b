"""Complaints (投诉): their record, departments, deadlines, escalation and reports."""
from flask import Blueprint

bp = Blueprint("complaints", __name__)
