"""Checking a filled checklist as a form posts it: what is refused, what counts as failed, what opens a ticket."""
import pytest

from app.checklists.services import AnswerError, check_answers, validate_definition
from tests.factories import checklist_definition

pytestmark = pytest.mark.usefixtures("ctx")

DEFINITION = validate_definition(checklist_definition())
ALL_GOOD = {"extinguisher": "pass", "exits": "pass", "locked": "yes", "fountain": "na", "temp": "25",
            "weather": "晴", "notes": ""}


def _check(photos: dict | None = None, **answers):
    return check_answers(DEFINITION, {**ALL_GOOD, **answers}, photos or {})


def _refused(photos: dict | None = None, **answers) -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        _check(photos, **answers)
    return caught.value


def test_a_checklist_all_in_order_passes_with_normalised_values():
    answered = _check(notes="  一切正常 ")
    assert answered.values == {"extinguisher": "pass", "exits": "pass", "locked": "yes", "fountain": "na",
                               "temp": 25.0, "weather": "晴", "notes": "一切正常"}
    assert answered.failed == [] and answered.tickets == []


def test_optional_items_may_stay_empty_and_are_left_out():
    answered = _check(notes=None)
    assert "notes" not in answered.values and "scene" not in answered.values


def test_photos_of_a_photo_item_are_counted_in_the_values():
    assert _check({"scene": 2}).values["scene"] == 2


def test_it_refuses_a_required_item_left_unanswered():
    error = _refused(exits="")
    assert error.fields == {"exits": "须填写。"}
    assert error.message == "第 2 项“消防通道畅通”须填写。"


@pytest.mark.parametrize("answer", ["pass", "fail", "na"])
def test_pass_fail_takes_pass_fail_and_na(answer):
    assert _check(exits=answer).values["exits"] == answer


def test_pass_fail_refuses_anything_else():
    assert _refused(exits="ok").fields == {"exits": "须选择合格、不合格或不适用。"}


def test_a_fail_is_failed_and_only_creates_a_ticket_when_the_item_says_so():
    answered = _check(exits="fail", fountain="fail")
    assert answered.failed == ["exits", "fountain"] and answered.tickets == []


def test_yes_no_takes_yes_and_no_and_no_is_a_failure():
    answered = _check(locked="no")
    assert answered.values["locked"] == "no" and answered.failed == ["locked"] and answered.tickets == ["locked"]
    assert _refused(locked="pass").fields == {"locked": "须选择是或否。"}


@pytest.mark.parametrize(("typed", "value"), [("12.5", 12.5), (" 0 ", 0.0), ("40", 40.0), ("１２.５", 12.5), ("-0", 0.0)])
def test_a_number_is_read_as_typed_on_a_phone(typed, value):
    answered = _check(temp=typed)
    assert answered.values["temp"] == value and answered.failed == []


@pytest.mark.parametrize("typed", ["abc", "12,5", "nan", "inf", "25℃"])
def test_it_refuses_what_is_not_a_number(typed):
    error = _refused(temp=typed)
    assert error.fields == {"temp": "须为数字。"} and error.message == "第 5 项“配电房温度”须为数字。"


@pytest.mark.parametrize("typed", ["45", "-3", "40.1"])
def test_a_reading_out_of_range_is_accepted_as_failed_and_opens_a_ticket(typed):
    answered = _check(temp=typed)
    assert answered.values["temp"] == float(typed)
    assert answered.failed == ["temp"] and answered.tickets == ["temp"]


def test_a_choice_must_be_one_of_the_options():
    assert _check(weather="雨").values["weather"] == "雨"
    assert _refused(weather="雪").fields == {"weather": "须从选项中选择。"}


def test_a_required_photo_item_needs_a_photo():
    definition = validate_definition(checklist_definition(sections=[{"title": "现场", "items": [
        {"key": "scene", "label": "现场照片", "type": "photo"},
        {"key": "sign", "label": "接班人签名", "type": "signature"}]}]))
    with pytest.raises(AnswerError) as caught:
        check_answers(definition, {}, {"scene": 0})
    assert caught.value.fields == {"scene": "须拍照。", "sign": "须签名。"}
    assert check_answers(definition, {}, {"scene": 1, "sign": 1}).values == {"scene": 1, "sign": 1}


def test_a_failed_item_that_needs_a_photo_is_refused_without_one():
    error = _refused(extinguisher="fail")
    assert error.fields == {"extinguisher": "不合格时须拍照。"}
    assert error.message == "第 1 项“灭火器齐全、压力正常”不合格时须拍照。"


def test_a_failed_item_with_its_photo_is_failed_and_opens_a_ticket():
    answered = _check({"extinguisher": 1}, extinguisher="fail")
    assert answered.failed == ["extinguisher"] and answered.tickets == ["extinguisher"]


def test_a_passed_item_needs_no_photo_even_when_failing_would():
    assert _check(extinguisher="pass").failed == []


def test_every_problem_is_listed_by_item_and_the_message_counts_the_rest():
    error = _refused(extinguisher="fail", temp="x", weather="")
    assert error.fields == {"extinguisher": "不合格时须拍照。", "temp": "须为数字。", "weather": "须填写。"}
    assert error.message == "第 1 项“灭火器齐全、压力正常”不合格时须拍照。 另有 2 项须修改。"


def test_answers_for_unknown_keys_are_ignored():
    assert "intruder" not in _check(intruder="fail").values


def test_a_text_answer_has_a_length_limit():
    assert _refused(notes="字" * 1001).fields == {"notes": "不能超过 1000 字。"}


def _with_level(na_allowed: bool) -> dict:
    definition = checklist_definition()
    definition["sections"][1]["items"].append({"key": "level", "label": "水景池水位", "type": "number", "unit": "cm",
                                               "min": 20, "max": 40, "na_allowed": na_allowed})
    return validate_definition(definition)


def test_a_number_item_that_allows_it_takes_not_applicable_and_does_not_fail():
    answered = check_answers(_with_level(True), {**ALL_GOOD, "level": "na"}, {})
    assert answered.values["level"] == "na" and "level" not in answered.failed


def test_a_number_item_takes_not_applicable_only_when_it_allows_it():
    with pytest.raises(AnswerError) as caught:
        check_answers(_with_level(False), {**ALL_GOOD, "level": "na"}, {})
    assert caught.value.fields == {"level": "须为数字。"}
    with pytest.raises(AnswerError):
        check_answers(DEFINITION, {**ALL_GOOD, "temp": "na"}, {})
