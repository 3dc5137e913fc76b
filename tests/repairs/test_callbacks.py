"""The callback list: tickets waiting for the call to the reporter, for the supervisor and the attendants."""
from datetime import datetime, timezone

from tests import factories
from tests.html import soup, text


def test_the_callback_list_shows_only_tickets_awaiting_the_call(world, db, login_as):
    waiting = factories.ticket(db, world.p1, world.users["guard"], "门锁坏了")[0]
    waiting.status, waiting.finished_at = "awaiting_callback", datetime.now(timezone.utc)
    db.add(waiting)
    db.commit()
    page = login_as("attendant").get(f"/projects/{world.p1.id}/callbacks")
    assert page.status_code == 200
    assert text(page, ".card-list li a") == [waiting.number]  # not the world's ticket, still reported
    assert soup(page).select_one(".card-list li a")["href"] == f"/tickets/{waiting.id}"


def test_an_empty_callback_list_says_so_and_other_roles_are_kept_out(world, login_as):
    assert text(login_as("supervisor").get(f"/projects/{world.p1.id}/callbacks"), ".card-list li.empty") == [
        "没有待回访的工单。"]
    assert login_as("guard").get(f"/projects/{world.p1.id}/callbacks").status_code == 403
    assert login_as("outsider").get(f"/projects/{world.p1.id}/callbacks").status_code == 404
