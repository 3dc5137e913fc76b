"""A sales centre on P1 with two attendants of its own (the world's attendant already has a shift)."""
import pytest

from tests import factories
from tests.shifts.helpers import Estate, SalesCentre


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


@pytest.fixture
def estate(world, db, rctx) -> Estate:
    """Guard posts on P1 (see Estate), in a request context: the outbox handlers answer with URLs."""
    from app.core.db import get_session
    from app.shifts import duty, services

    session, admin = get_session(), world.users["supervisor"]
    lobby = services.save_post(session, actor=admin, project=world.p1, name="大堂岗", kind="lobby", always_manned=True)
    duty.save_equipment(session, actor=admin, post=lobby, text="对讲机 1\n钥匙 2")
    monitoring = services.save_post(session, actor=admin, project=world.p1, name="监控岗", kind="monitoring")
    day = services.save_pattern(session, actor=admin, project=world.p1, name="白班", start="08:00", end="20:00")
    night = services.save_pattern(session, actor=admin, project=world.p1, name="夜班", start="20:00", end="08:00")
    zhang = factories.user(db, world.org_a, "zhang", roles=[(world.p1, "guard")])
    chen = factories.user(db, world.org_a, "chen", roles=[(world.p1, "guard")])
    return Estate(world.p1, lobby, monitoring, day, night, zhang, chen, admin)
