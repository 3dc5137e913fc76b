"""Every importer, registered at import; ORDER is how the imports page lists them."""
from app.imports import inventory, people, places, scoresheets, units  # noqa: F401

ORDER = ("checkpoints", "inventory", "scoresheet", "users", "units")
