"""The phone refuses what the server would refuse, with the same words: one table, both validators."""
import json

import pytest
from flask_babel import gettext

from app.checklists.definition import validate_definition
from app.checklists.rules import phone_rules
from app.checklists.services import AnswerError, check_answers
from app.core.refusal import Refusal
from app.core.validation import needs
from app.handovers.inventory import HandoverError
from app.handovers.rules import phone_rules as handover_rules
from app.handovers.services import check_counts, incoming_needs, signature_needs
from app.inspections.rules import phone_rules as sheet_rules
from app.inspections.services import _read_sheet as read_sheet
from app.repairs.services import TicketError, finish_needs
from tests.factories import checklist_definition, score_sheet_definition

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


# -- a ticket's finish and a handover: the same lists of what is needed, the same messages ---------------------

def _refused(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except Refusal as exc:
        return {"message": exc.message, "fields": exc.fields}
    return None


FINISH_CASES = [
    ({"work_note": "换了水龙头"}, {"photos": 1}),
    ({"work_note": "换了水龙头"}, {"photos": 0}),  # no after-photo
    ({"work_note": "   "}, {"photos": 1}),  # a note of spaces is no note
    ({"work_note": ""}, {"photos": 0}),  # both missing: the photo is named first, as the server does
]


@pytest.mark.parametrize("values, photos", FINISH_CASES)
def test_the_phone_and_the_server_refuse_the_same_ticket_finish(app, rules_page, values, photos):
    with app.test_request_context():
        rules = finish_needs()
        expected = _refused(needs, rules, {"photos": photos["photos"], "work_note": values["work_note"].strip()},
                            error=TicketError)
    phone = rules_page.evaluate("([r, v]) => WuyeRules.checkNeeds(r, v)", [rules, values | photos])
    assert phone == expected, json.dumps(values | photos, ensure_ascii=False)


ITEMS = [{"key": "sofa", "name": "沙发", "quantity": 1}, {"key": "cups", "name": "水杯", "quantity": 6}]
COUNTED = {"status-sofa": "present", "found-sofa": "1", "note-sofa": "", "status-cups": "present", "found-cups": "6",
           "note-cups": "", "incoming_id": "7", "incoming_password": "demo1234"}
SIGNED = {"sign-outgoing": 1, "sign-incoming": 1}

HANDOVER_CASES = [
    ({}, {}),
    ({"incoming_id": ""}, {}),  # nobody chosen to take over
    ({"incoming_password": " "}, {}),  # no password typed (a wrong one is the server's to find)
    ({"status-cups": "missing", "found-cups": "4"}, {}),  # missing without a photo
    ({"status-cups": "missing", "found-cups": "4"}, {"photo-cups": 1}),
    ({"status-cups": "damaged", "found-cups": "6"}, {}),
    ({"found-cups": "7"}, {}),  # more found than listed
    ({"status-cups": "moved", "found-cups": "9"}, {}),
    ({"found-cups": "5"}, {}),  # 齐全 with fewer
    ({"status-cups": "missing", "found-cups": "6"}, {"photo-cups": 1}),  # 缺失 with all there
    ({"found-cups": "五"}, {}),
    ({"found-cups": "-1", "status-cups": "missing"}, {"photo-cups": 1}),
    ({"found-cups": "", "status-cups": "moved"}, {}),  # an empty count of a moved item is the listed one
    ({"found-cups": "６"}, {}),  # full-width digits are a number
    ({"status-sofa": "lost"}, {}),
    ({"note-sofa": "旧" * 201}, {}),
    ({"note-sofa": "旧" * 200}, {}),
    ({"status-sofa": "", "found-cups": "8"}, {}),  # several: the first named, the others counted
    ({}, {"sign-outgoing": 0}),
    ({}, {"sign-incoming": 0}),
    ({}, {"sign-outgoing": 0, "sign-incoming": 0}),
]


def _server_handover(values, photos):
    """What `services.receive` checks of the form, in its order (the password is the server's alone)."""
    needs(incoming_needs(), values, error=HandoverError)
    counts = {item["key"]: {part: values.get(f"{part}-{item['key']}") for part in ("status", "found", "note")}
              for item in ITEMS}
    check_counts(ITEMS, counts, {item["key"]: photos.get(f"photo-{item['key']}", 0) for item in ITEMS})
    needs(signature_needs(), photos, error=HandoverError)


@pytest.mark.parametrize("changes, photos", HANDOVER_CASES)
def test_the_phone_and_the_server_refuse_the_same_handover(app, rules_page, changes, photos):
    values, chosen = COUNTED | changes, SIGNED | photos
    with app.test_request_context():
        expected = _refused(_server_handover, values, chosen)
        rules = handover_rules(ITEMS)
    phone = rules_page.evaluate("([r, v, p]) => WuyeRules.checkHandover(r, v, p)", [rules, values, chosen])
    assert phone == expected, json.dumps(changes | photos, ensure_ascii=False)


# -- a score sheet: N/A where allowed, occurrences within the item's points, a photo per deduction ------------

PRE = "v9-"
SHEET = {f"{PRE}item-{key}": "pass" for key in ("floor", "bins", "badge", "promise")}

SHEET_CASES = [
    ({}, {}),
    ({"item-floor": ""}, {}),  # not answered
    ({"item-floor": "maybe"}, {}),
    ({"item-badge": "na"}, {}),  # N/A not allowed here
    ({"item-bins": "na"}, {}),
    ({"item-bins": "fail"}, {}),  # a deduction without its photo
    ({"item-bins": "fail"}, {"photo-bins": 1}),
    ({"item-floor": "fail", "count-floor": "3"}, {"photo-floor": 1}),  # 3 points at 1 a time: 3 at most
    ({"item-floor": "fail", "count-floor": "4"}, {"photo-floor": 1}),
    ({"item-floor": "fail", "count-floor": "0"}, {"photo-floor": 1}),
    ({"item-floor": "fail", "count-floor": "两"}, {"photo-floor": 1}),
    ({"item-floor": "fail", "count-floor": ""}, {"photo-floor": 1}),  # empty is one
    ({"item-floor": "fail", "count-floor": "２"}, {"photo-floor": 1}),
    ({"item-floor": "", "item-badge": "na", "item-promise": "fail"}, {}),  # several: the first named, others counted
]


def _server_sheet(definition, values, photos):
    """What `create_inspection` refuses of one sheet: `_read_sheet`'s problems, named by the sheet."""
    _answers, _notes, problems = read_sheet(definition, PRE, values, lambda name: photos.get(name, 0), 0)
    problems = {f: f"{definition['name']}:{m}" for f, m in problems.items()}
    if problems:
        more = gettext(" 另有 %(n)d 项须修改。", n=len(problems) - 1) if len(problems) > 1 else ""
        return {"message": next(iter(problems.values())) + more, "fields": problems}
    return None


@pytest.mark.parametrize("changes, photos", SHEET_CASES)
def test_the_phone_and_the_server_refuse_the_same_score_sheet(app, rules_page, changes, photos):
    definition = validate_definition(score_sheet_definition())
    values = SHEET | {PRE + name: value for name, value in changes.items()}
    chosen = {PRE + name: n for name, n in photos.items()}
    with app.test_request_context():
        expected = _server_sheet(definition, values, chosen)
        rules = sheet_rules(definition)
    phone = rules_page.evaluate("""([r, v, p]) => WuyeRules.sheetsRefusal(WuyeRules.checkSheet(r, "v9-", v, p),
                                                                         r.messages)""", [rules, values, chosen])
    assert phone == expected, json.dumps(changes | photos, ensure_ascii=False)
