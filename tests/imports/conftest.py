import pytest
from sqlmodel import Session

from tests.factories import engine_of
from tests.handovers import builders


@pytest.fixture
def room_world(app, world):
    """The world plus an empty sample room in P1 and one in P2 (for the round trip)."""
    with Session(engine_of(app), expire_on_commit=False) as session:
        world.rooms = {"p1": builders.room(session, world.p1, "A户型样板间", items=[]),
                       "p2": builders.room(session, world.p2, "B户型样板间", items=[])}
    return world
