"""Every importer, registered at import (in the order the imports page lists them)."""
from app.imports import inventory, people, places, scoresheets, units  # noqa: F401
