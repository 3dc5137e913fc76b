"""Editing and deleting a checkpoint from the project page (supervisors and admins)."""
from sqlmodel import select

from app.projects.models import Checkpoint
from tests import factories
from tests.html import soup


def test_the_edit_form_comes_filled_in_for_a_supervisor_only(world, db, login_as):
    checkpoint = world.checkpoints["p1"]
    form = soup(login_as("supervisor").get(f"/checkpoints/{checkpoint.id}/edit", headers={"HX-Request": "true"}))
    assert form.select_one('input[name="name"]')["value"] == checkpoint.name
    assert login_as("guard").get(f"/checkpoints/{checkpoint.id}/edit").status_code == 403
    assert login_as("outsider").get(f"/checkpoints/{checkpoint.id}/edit").status_code == 404


def test_a_supervisor_deletes_a_checkpoint_plain_or_in_place(world, db, login_as):
    client = login_as("supervisor")
    plain, in_place = (factories.checkpoint(db, world.areas["p1"], name) for name in ("后门", "车库入口"))
    response = client.post_form(f"/checkpoints/{plain.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == f"/projects/{world.p1.id}"
    response = client.post_form(f"/checkpoints/{in_place.id}/delete", htmx=True)
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert db.exec(select(Checkpoint).where(Checkpoint.id.in_([plain.id, in_place.id]))).all() == []


def test_a_guard_cannot_delete_a_checkpoint(world, db, login_as):
    checkpoint = factories.checkpoint(db, world.areas["p1"], "后门")
    assert login_as("guard").post_form(f"/checkpoints/{checkpoint.id}/delete").status_code == 403
    db.expire_all()
    assert db.get(Checkpoint, checkpoint.id) is not None
