"""Errors reach users as a page in their language with the right status, never a stack trace."""
from sqlmodel import Session, select

from app.accounts.models import Membership
from app.core.permissions import public
from tests.html import soup


def test_a_write_that_lost_a_race_is_a_409_that_says_nothing_was_saved(test_config, world, db):
    from app import create_app

    other = create_app(test_config)
    guard = world.users["guard"]

    @public
    def adds_the_same_membership_again():  # what a second, simultaneous save of the same thing runs into
        with Session(other.extensions["engine"]) as session:
            session.add(Membership(user_id=guard.id, project_id=world.p1.id, role="guard"))
            session.commit()
        return "saved"

    other.add_url_rule("/twice", "twice", adds_the_same_membership_again)
    response = other.test_client().get("/twice")
    assert response.status_code == 409
    assert "刚刚被其他人同时修改,您的提交没有保存" in soup(response).get_text()
    assert len(db.exec(select(Membership).where(Membership.user_id == guard.id)).all()) == 1
