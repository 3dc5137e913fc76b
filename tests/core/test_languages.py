"""In English and in 繁體中文, each role's main pages on fresh demo data show no Simplified Chinese except what
users typed (names of sites, people, rooms, checklists …): every string stored in the database counts as typed,
except the starter values, which ship with their translations (issue 16)."""
import re

import opencc
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from app import demo
from app.accounts.models import User
from app.core.formatting import STARTERS
from tests.factories import engine_of

ROLES = ["guard1", "attendant1", "engineer1", "inspector1", "supervisor1", "admin"]
EXTRA = {"attendant1": ["/rooms/1/handover", "/rooms/1/checks/opening", "/rooms/1/checks/closing"],
         "inspector1": ["/projects/1/inspections/new"]}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
TO_TRADITIONAL, TO_SIMPLIFIED = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "content")
# Names the company gives its places are typed even where they read like a starter value (an area called 车场).
PLACES = {"organisation", "project", "area", "checkpoint", "patrol_route"}


@pytest.fixture
def typed(app):
    """The demo seeded; every string users gave it (stored in any table), longest first. Starter values are
    not typed, except as the name of a place: they ship with their translations."""
    values: set[str] = set()

    def collect(value, place: bool):
        if isinstance(value, str) and (place or value not in STARTERS):
            values.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item, place)
        elif isinstance(value, list):
            for item in value:
                collect(item, place)

    with app.app_context(), Session(engine_of(app)) as session:
        demo.seed(session)
        session.commit()
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                collect(list(row), table.name in PLACES)
    return sorted((v for v in values if HAN.search(v)), key=len, reverse=True)


def _shown_text(html: str) -> list[str]:
    """What a reader can see or hear: the text, the labels of controls, and the messages scripts show (data-*)."""
    page = BeautifulSoup(html, "html.parser")
    for hidden in page(["script", "style", "template", "noscript"]):
        hidden.decompose()
    for own_language in page.select("body [lang]"):  # a language's own name, marked as such
        own_language.decompose()
    texts = [t for t in page.stripped_strings]
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            if isinstance(value, str) and (name in SHOWN_ATTRIBUTES or name.startswith("data-")) and HAN.search(value):
                texts.append(value)
    return texts


def _simplified_only(text: str) -> set[str]:
    return {c for c in HAN.findall(text) if TO_TRADITIONAL.convert(c) != c and TO_SIMPLIFIED.convert(c) == c}


def _pages(client, username: str) -> list[str]:
    home = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in home.select("main .card-list a[href], .tabbar a[href]")]
    return list(dict.fromkeys(["/", "/account", "/sync"] + [link for link in links if link.startswith("/")]
                              + EXTRA.get(username, [])))


@pytest.mark.parametrize("locale", ["en", "zh_Hant"])
@pytest.mark.parametrize("username", ROLES)
def test_a_roles_main_pages_show_no_simplified_chinese_but_what_users_typed(app, typed, username, locale):
    with Session(engine_of(app)) as session:
        user = session.exec(select(User).where(User.username == username)).scalar_one()
        user.locale = locale
        session.commit()
    client = app.test_client()
    assert client.login(username, demo.PASSWORD).status_code == 302
    problems = []
    for path in _pages(client, username):
        response = client.get(path)
        assert response.status_code == 200, path
        for text in _shown_text(response.get_data(as_text=True)):
            for value in typed:
                if value in text:
                    text = text.replace(value, " ")
            wrong = HAN.findall(text) if locale == "en" else _simplified_only(text)
            if wrong:
                problems.append(f"{path}: «{text.strip()[:80]}»")
    assert problems == [], "\n".join(dict.fromkeys(problems))
