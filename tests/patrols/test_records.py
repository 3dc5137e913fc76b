"""The patrols' outbox kinds: answers pointing at the round, pages kept offline, services without a request."""
import uuid
from datetime import timedelta

from sqlmodel import select

from app.accounts.models import User
from app.core.db import get_session
from app.core.photos import Photo, process
from app.patrols import services
from app.patrols.models import Visit
from app.sync.services import Submission
from tests import images
from tests.patrols.conftest import NIGHT
from tests.patrols.test_visits import GOOD, _visit


class KeptInMemory:
    """A storage that keeps what it is given, to see that the service stores where it is told to."""

    def __init__(self):
        self.saved: dict[str, bytes] = {}

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.saved[key] = data


def test_a_visit_and_a_finish_answer_with_the_rounds_page(login_as, patrol):
    guard = login_as("guard")
    visit = _visit(guard, patrol, 1, answers=GOOD)
    finish = _visit(guard, patrol, 1, kind="patrol_finish", at=NIGHT + timedelta(minutes=20))
    assert visit.status_code == finish.status_code == 201
    assert visit.json["url"] == finish.json["url"] == f"/rounds/{patrol.round.id}"
    assert finish.json == {"id": patrol.round.id, "finished": True, "url": f"/rounds/{patrol.round.id}"}


def test_a_guard_keeps_the_rounds_walkable_now_and_the_scanner(login_as, world):
    round_ = world.rounds["p1"]  # due now, open to any guard of P1
    pages = login_as("guard").get("/api/v1/offline-pages").json["pages"]
    assert {f"/rounds/{round_.id}/walk", f"/rounds/{round_.id}/stops/1"} <= set(pages)
    assert any(page.endswith("/js/scan.js") for page in pages)
    assert f"/rounds/{world.rounds['p2'].id}/walk" not in pages  # another project's round
    supervisor = login_as("supervisor").get("/api/v1/offline-pages").json["pages"]
    assert not any(page.startswith("/rounds/") for page in supervisor)


def test_a_visit_and_its_ticket_are_recorded_without_a_request_into_the_storage_given(app, patrol, world):
    with app.app_context():
        session = get_session()
        guard = session.get(User, world.users["guard"].id)
        kept = KeptInMemory()
        submission = Submission(
            user=guard, project=session.get(type(world.p1), world.p1.id), client_time=NIGHT + timedelta(minutes=5),
            client_id=str(uuid.uuid4()), storage=kept, photo_fields=["photo-extinguisher"],
            photos=[process(images.image(), max_bytes=15_000_000)],
            data={"round_id": patrol.round.id, "position": 1, "code": patrol.checkpoints[0].code,
                  "item-extinguisher": "fail", "item-temp": "26"})
        visit, [ticket] = services.record_visit(session, submission)
        session.commit()
        visit_id, ticket_id = visit.id, ticket.id
        photos = session.exec(select(Photo).where(
            ((Photo.owner_type == "visit") & (Photo.owner_id == visit_id))
            | ((Photo.owner_type == "ticket") & (Photo.owner_id == ticket_id)))).all()
    assert sorted(p.owner_type for p in photos) == ["ticket", "visit"]
    assert {key for p in photos for key in (p.key, p.thumb_key)} == set(kept.saved)
    with app.app_context():
        assert get_session().get(Visit, visit_id).failed == ["extinguisher"]
