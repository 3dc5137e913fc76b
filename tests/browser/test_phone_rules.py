"""The phone refuses what the server would refuse, with the same words: one table, both validators."""
import json

import pytest

from app.checklists.definition import validate_definition
from app.checklists.rules import phone_rules
from app.checklists.services import AnswerError, check_answers
from tests.factories import checklist_definition

GOOD = {"extinguisher": "pass", "exits": "pass", "locked": "yes", "fountain": "pass", "temp": "22", "weather": "晴",
        "level": "30"}

# (what is changed from a good checklist, photos chosen per item)
CASES = [
    ({}, {}),
    ({"temp": "无"}, {}),  # a word in a number item
    ({"temp": "１２"}, {}),  # full-width digits are a number
    ({"temp": " 1e1 "}, {}),
    ({"temp": "1_000"}, {}),
    ({"temp": "inf"}, {}),
    ({"temp": "45"}, {}),  # out of range: a real reading, accepted and marked failed
    ({"extinguisher": "fail"}, {}),  # failed without the required photo
    ({"extinguisher": "fail"}, {"extinguisher": 1}),
    ({"exits": ""}, {}),
    ({"exits": "maybe"}, {}),
    ({"locked": "maybe"}, {}),
    ({"weather": "雪"}, {}),
    ({"notes": "很" * 1001}, {}),
    ({"notes": "很" * 1000}, {}),
    ({"temp": "无", "exits": "", "weather": "雪"}, {}),  # several: the first named, the others counted
    ({"temp": "na"}, {}),  # 不适用 on a number item that does not allow it
    ({"level": "na"}, {}),  # … and on one that does (na_allowed)
    ({"level": ""}, {}),
    ({"level": "25"}, {}),
]


def _definition():
    """The factory's checklist plus a reading that does not apply everywhere (a fountain's level in winter)."""
    definition = checklist_definition()
    definition["sections"][1]["items"].append(
        {"key": "level", "label": "水景池水位", "type": "number", "unit": "cm", "min": 20, "max": 40, "na_allowed": True})
    return validate_definition(definition)


@pytest.fixture(scope="module")
def rules_page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/offline")
    page.add_script_tag(url="/static/js/rules.js")
    yield page
    context.close()


def _server(definition, answers, photos):
    try:
        check_answers(definition, answers, photos)
    except AnswerError as exc:
        return {"message": exc.message, "fields": exc.fields}
    return None


@pytest.mark.parametrize("changes, photos", CASES)
def test_the_phone_and_the_server_refuse_the_same_answers_with_the_same_message(app, rules_page, changes, photos):
    definition = _definition()
    answers = GOOD | changes
    with app.test_request_context():
        expected = _server(definition, answers, photos)
        rules = phone_rules(definition)
    phone = rules_page.evaluate("([r, a, p]) => WuyeRules.checkChecklist(r, a, p)", [rules, answers, photos])
    assert phone == expected, json.dumps(changes, ensure_ascii=False)
