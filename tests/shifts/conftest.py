"""A sales centre on P1 with two attendants of its own (the world's attendant already has a shift)."""
import pytest

from tests import factories
from tests.shifts.helpers import SalesCentre


@pytest.fixture
def sc(world, db) -> SalesCentre:
    objects = world.shifts["p1"]
    li = factories.user(db, world.org_a, "li", roles=[(world.p1, "attendant")])
    wang = factories.user(db, world.org_a, "wang", roles=[(world.p1, "attendant")])
    return SalesCentre(world.p1, objects.post, objects.pattern, objects.item, li, wang, world.users["supervisor"])


@pytest.fixture
def rctx(app):
    """A request context: the outbox handlers answer with URLs. Not together with the test client."""
    with app.test_request_context():
        yield
