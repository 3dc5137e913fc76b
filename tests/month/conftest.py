import pytest

from tests import factories
from tests.month.helpers import march_world


@pytest.fixture
def march(world, db):
    """The world with known rounds, tickets, complaints and inspections in February and March 2026."""
    version = factories.checklist(db, world.org_a, factories.score_sheet_definition())
    march_world(db, world, version)
    return world
