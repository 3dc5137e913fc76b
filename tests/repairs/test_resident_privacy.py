"""A resident's name and phone on a ticket: whole for whoever calls them back, masked for everyone else."""
import pytest
from sqlmodel import Session

from app.repairs.models import Ticket
from app.repairs.services import mask
from tests.factories import engine_of
from tests.html import soup


@pytest.fixture
def resident_ticket(app, world):
    with Session(engine_of(app), expire_on_commit=False) as session:
        ticket = session.get(Ticket, world.tickets["p1"].id)
        ticket.reporter_id, ticket.source = None, "resident"
        ticket.reporter_name, ticket.reporter_phone = "王女士", "13800138000"
        ticket.assignee_id = world.users["engineer"].id
        session.add(ticket)
        session.commit()
        return ticket


def _facts(client, ticket) -> str:
    response = client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 200
    return soup(response).select_one("dl.facts").get_text(" ", strip=True)


@pytest.mark.parametrize("who", ["engineer", "supervisor", "admin"])
def test_the_assignee_supervisors_and_admins_see_the_residents_name_and_phone(login_as, resident_ticket, who):
    facts = _facts(login_as(who), resident_ticket)
    assert "王女士" in facts and "13800138000" in facts


@pytest.mark.parametrize("who", ["guard", "attendant", "inspector"])
def test_every_other_role_sees_them_masked(login_as, resident_ticket, who):
    page = login_as(who).get(f"/tickets/{resident_ticket.id}").get_data(as_text=True)
    assert "王女士" not in page and "13800138000" not in page
    facts = _facts(login_as(who), resident_ticket)
    assert "王**" in facts and "138****8000" in facts


def test_an_engineer_who_is_not_the_assignee_sees_them_masked(app, login_as, resident_ticket):
    with Session(engine_of(app)) as session:
        ticket = session.get(Ticket, resident_ticket.id)
        ticket.assignee_id = None
        session.add(ticket)
        session.commit()
    assert "138****8000" in _facts(login_as("engineer"), resident_ticket)


def test_the_mask_keeps_the_ends_of_a_phone_and_the_first_character_of_a_name():
    assert (mask("13800138000"), mask("+8613800138000"), mask("王女士"), mask("")) == (
        "138****8000", "+86138****8000", "王**", "")
