"""The handover world for every handover test, and a sample room in P1 with three items (helpers: `helpers.py`)."""
import pytest

from tests.handovers import builders


@pytest.fixture(autouse=True)
def _handover_world(request):
    """Handover tests that ask for the world get its rooms, handovers, checks and attendant_b."""
    if "world" in request.fixturenames:
        request.getfixturevalue("handover_world")


@pytest.fixture
def sample_room(world, db):
    return builders.room(db, world.p1, "样板间A")
