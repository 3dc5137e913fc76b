"""The checklist definition format (docs/templates.md): validation, defaults, and JSON errors with line numbers.

`validate_definition` takes a dict and returns it normalised (every field present, defaults filled, nothing
else), so two definitions that mean the same compare equal. `parse_template_json` does the same from the text
of a file and puts the line of the offending object in front of every error, for whoever edits that file.
"""
import json
import math
import re
from collections.abc import Iterator

from flask_babel import gettext as _

from app.checklists.models import PURPOSES
from app.core.refusal import Refusal

ITEM_TYPES = ("pass_fail", "yes_no", "number", "choice", "text", "photo", "signature")
FAILING_TYPES = ("pass_fail", "yes_no", "number")  # the types an answer can fail; creates_ticket needs one
KEY_PATTERN = re.compile(r"[a-z0-9_-]+")
TEMPLATE_FIELDS = ("key", "name", "purpose", "score_sheet", "base_score", "sections")
SECTION_FIELDS = ("title", "items")
ITEM_FIELDS = ("key", "label", "type", "required", "photo_when_failed", "creates_ticket", "help", "points",
               "repeatable", "veto", "category")
TYPE_FIELDS = {"number": ("unit", "min", "max", "na_allowed"), "choice": ("options",)}
# Fields that only mean something on a score sheet (score_sheet: true); written out only there.
SCORE_TEMPLATE_FIELDS = ("category_caps", "veto_ceiling")
SCORE_ITEM_FIELDS = ("per_occurrence", "na_allowed", "last_time")

MAX_TEMPLATE_KEY, MAX_ITEM_KEY = 60, 40
MAX_NAME, MAX_TITLE, MAX_LABEL, MAX_HELP, MAX_UNIT, MAX_CATEGORY, MAX_OPTION = 120, 120, 200, 500, 20, 60, 100


class TemplateError(Refusal):
    """A definition refused; `errors` lists every problem, each saying where it is (a template file may have many)."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or [message]


def iter_items(definition: dict) -> Iterator[tuple[int, dict]]:
    """The items of a (normalised) definition in order, numbered from 1 across sections."""
    number = 0
    for section in definition["sections"]:
        for item in section["items"]:
            number += 1
            yield number, item


def format_points(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# -- reading fields ---------------------------------------------------------------------------------

class _Checker:
    """Reads the fields of one JSON object, noting each problem with where it is."""

    def __init__(self, obj: dict, where: str, found: list):
        self.obj, self.where, self.found = obj, where, found

    def problem(self, text: str) -> None:
        self.found.append((getattr(self.obj, "line", None), self.where + text))

    def only(self, allowed: tuple[str, ...], elsewhere: dict[str, str] | None = None) -> None:
        for name in self.obj:
            if name in allowed:
                continue
            if elsewhere and name in elsewhere:
                self.problem(_("“%(field)s”只用于 %(type)s 类型。", field=name, type=elsewhere[name]))
            else:
                self.problem(_("未知字段“%(field)s”。", field=name))
        for name in getattr(self.obj, "duplicates", ()):
            self.problem(_("字段“%(field)s”重复出现。", field=name))

    def text(self, name: str, limit: int, *, required: bool = False) -> str:
        value = self.obj.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(_("缺少 %(field)s。", field=name))
            return ""
        if not isinstance(value, str):
            self.problem(_("%(field)s 须为文字。", field=name))
            return ""
        if len(value.strip()) > limit:
            self.problem(_("%(field)s 不能超过 %(n)d 字。", field=name, n=limit))
        return value.strip()

    def key(self, name: str, limit: int) -> str:
        value = self.text(name, limit, required=True)
        if value and not KEY_PATTERN.fullmatch(value):
            self.problem(_("%(field)s“%(value)s”只能包含小写字母、数字、- 和 _。", field=name, value=value))
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.obj.get(name, default)
        if not isinstance(value, bool):
            self.problem(_("%(field)s 须为 true 或 false。", field=name))
            return default
        return value

    def number(self, name: str, default=None):
        value = self.obj.get(name, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value)):
            self.problem(_("%(field)s 须为数字。", field=name))
            return default
        return value


# -- the definition ---------------------------------------------------------------------------------

def _item(item, where: str, found: list, score_sheet: bool = False) -> dict:
    check = _Checker(item, where, found)
    kind = item.get("type")
    if not score_sheet:
        for name in SCORE_ITEM_FIELDS:
            if name in item and not (kind == "number" and name in TYPE_FIELDS["number"]):
                check.problem(_("“%(field)s”只用于评分表(score_sheet 为 true)。", field=name))
    if kind is None:
        check.problem(_("缺少 type。"))
    elif kind not in ITEM_TYPES:
        check.problem(_("未知类型“%(type)s”,可用的类型:%(types)s。", type=kind, types="、".join(ITEM_TYPES)))
    if kind in ITEM_TYPES:
        elsewhere = {name: other for other, names in TYPE_FIELDS.items() if other != kind for name in names}
        check.only(ITEM_FIELDS + SCORE_ITEM_FIELDS + TYPE_FIELDS.get(kind, ()), elsewhere)
    else:  # the type is wrong already: do not also complain about its fields
        check.only(ITEM_FIELDS + SCORE_ITEM_FIELDS + sum(TYPE_FIELDS.values(), ()))
    out = {"key": check.key("key", MAX_ITEM_KEY), "label": check.text("label", MAX_LABEL, required=True),
           "type": kind if kind in ITEM_TYPES else "text", "required": check.flag("required", True)}
    if kind == "number":
        out["unit"] = check.text("unit", MAX_UNIT)
        out["min"], out["max"] = check.number("min"), check.number("max")
        if out["min"] is not None and out["max"] is not None and out["min"] > out["max"]:
            check.problem(_("min 大于 max。"))
        # A reading that does not apply at every site (a fountain's water level in winter): 不适用 allowed.
        out["na_allowed"] = check.flag("na_allowed", False)
    if kind == "choice":
        out["options"] = _options(item.get("options"), check)
    out["photo_when_failed"] = check.flag("photo_when_failed", False)
    if out["photo_when_failed"] and kind in ITEM_TYPES and kind != "pass_fail":
        check.problem(_("photo_when_failed 只用于 pass_fail 类型。"))
    out["creates_ticket"] = check.flag("creates_ticket", False)
    if out["creates_ticket"] and kind in ITEM_TYPES and kind not in FAILING_TYPES:
        check.problem(_("creates_ticket 只用于 %(types)s 类型。", types="、".join(FAILING_TYPES)))
    out["help"] = check.text("help", MAX_HELP)
    out["points"] = check.number("points", 0)
    if out["points"] is None or out["points"] < 0:
        check.problem(_("points 须为不小于 0 的数字。"))
        out["points"] = 0
    out["repeatable"] = check.flag("repeatable", False)
    out["veto"] = check.flag("veto", False)
    out["category"] = check.text("category", MAX_CATEGORY)
    if score_sheet:
        _score_item(out, check)
    return out


def _score_item(out: dict, check: "_Checker") -> None:
    """The score-sheet fields of an item. On a repeatable item `points` is the most it deducts and
    `per_occurrence` what each occurrence deducts ("每发现一处扣1分,本项最多扣3分"); `na_allowed` says
    whether 不适用 may be answered; `last_time` marks the item that counts last time's rectification
    items found not closed (the inspection fills it in)."""
    per = check.number("per_occurrence")
    if out["repeatable"]:
        per = 1 if per is None else per
        if per <= 0 or per > max(out["points"], 0) and out["points"] > 0:
            check.problem(_("per_occurrence 须大于 0 且不超过 points。"))
            per = 1
    elif per is not None:
        check.problem(_("per_occurrence 只用于可重复扣分的项(repeatable 为 true)。"))
        per = None
    out["per_occurrence"] = per
    out["na_allowed"] = check.flag("na_allowed", True)
    out["last_time"] = check.flag("last_time", False)
    if out["last_time"] and out["type"] != "pass_fail":
        check.problem(_("last_time 只用于 pass_fail 类型。"))


def _options(options, check: _Checker) -> list[str]:
    if not isinstance(options, list) or len(options) < 2:
        check.problem(_("choice 类型须有 options:至少两个选项的列表。"))
        return []
    cleaned = []
    for option in options:
        if not isinstance(option, str) or not option.strip():
            check.problem(_("options 的每一项须为非空文字。"))
        elif len(option.strip()) > MAX_OPTION:
            check.problem(_("选项不能超过 %(n)d 字。", n=MAX_OPTION))
        elif option.strip() in cleaned:
            check.problem(_("选项“%(option)s”重复。", option=option.strip()))
        else:
            cleaned.append(option.strip())
    return cleaned


def _check(raw) -> tuple[dict, list[tuple[int | None, str]]]:
    """The normalised definition and the problems found, each as (line in the source or None, message)."""
    found: list[tuple[int | None, str]] = []
    if not isinstance(raw, dict):
        return {}, [(None, _("模板须为一个 JSON 对象。"))]
    top = _Checker(raw, "", found)
    top.only(TEMPLATE_FIELDS + SCORE_TEMPLATE_FIELDS)
    score_sheet = raw.get("score_sheet") is True
    if not score_sheet:
        for name in SCORE_TEMPLATE_FIELDS:
            if name in raw:
                top.problem(_("“%(field)s”只用于评分表(score_sheet 为 true)。", field=name))
    purpose = raw.get("purpose", "other")
    if purpose not in PURPOSES:
        top.problem(_("purpose“%(value)s”无效,可用:%(purposes)s。", value=purpose, purposes="、".join(PURPOSES)))
    out = {"key": top.key("key", MAX_TEMPLATE_KEY), "name": top.text("name", MAX_NAME, required=True),
           "purpose": purpose if purpose in PURPOSES else "other", "score_sheet": top.flag("score_sheet", False),
           "base_score": top.number("base_score"), "sections": []}

    sections, seen = raw.get("sections"), {}
    if not isinstance(sections, list) or not sections:
        top.problem(_("sections 须为至少有一节的列表。"))
        sections = []
    for s, section in enumerate(sections, start=1):
        where = _("第 %(s)d 节:", s=s)
        if not isinstance(section, dict):
            top.problem(where + _("须为一个对象。"))
            continue
        check = _Checker(section, where, found)
        check.only(SECTION_FIELDS)
        title = check.text("title", MAX_TITLE, required=True)
        items = section.get("items")
        if not isinstance(items, list) or not items:
            check.problem(_("items 须为至少有一项的列表。"))
            items = []
        out_items = []
        for i, item in enumerate(items, start=1):
            key = item.get("key") if isinstance(item, dict) else None
            where = (_("第 %(s)d 节第 %(i)d 项(key=%(key)s):", s=s, i=i, key=key) if isinstance(key, str) and key
                     else _("第 %(s)d 节第 %(i)d 项:", s=s, i=i))
            if not isinstance(item, dict):
                _Checker(section, where, found).problem(_("须为一个对象。"))
                continue
            out_item = _item(item, where, found, score_sheet)
            if out_item["key"] in seen:
                _Checker(item, where, found).problem(_("key 与%(other)s重复。", other=seen[out_item["key"]]))
            elif out_item["key"]:
                seen[out_item["key"]] = _("第 %(s)d 节第 %(i)d 项", s=s, i=i)
            out_items.append(out_item)
        out["sections"].append({"title": title, "items": out_items})

    base = out["base_score"]
    if out["score_sheet"]:
        if not isinstance(base, int) or base <= 0:
            top.problem(_("评分表(score_sheet 为 true)须有 base_score:一个正整数。"))
        elif not found:
            # rounded: ten items of 0.1 add up to 0.9999999999999999 in floating point, not to 1
            total = round(sum(item["points"] for _n, item in iter_items(out)), 2)
            if total != base:
                top.problem(_("扣分项合计 %(total)s 分,与基础分 %(base)s 分不符。",
                              total=format_points(total), base=base))
        _score_sheet_fields(raw, out, top)
    elif base is not None:
        top.problem(_("base_score 只用于评分表(score_sheet 为 true)。"))
    return out, found


def _score_sheet_fields(raw: dict, out: dict, top: "_Checker") -> None:
    """category_caps (category → the most its items may deduct together) and veto_ceiling (the score a
    failed veto item leaves at most; 0 by default)."""
    categories = {item["category"] for _n, item in iter_items(out)}
    caps = raw.get("category_caps", {})
    out["category_caps"] = {}
    if not isinstance(caps, dict):
        top.problem(_("category_caps 须为 {类别: 扣分上限} 的对象。"))
        caps = {}
    for category, cap in caps.items():
        if category not in categories:
            top.problem(_("category_caps 的类别“%(category)s”没有任何项。", category=category))
        elif isinstance(cap, bool) or not isinstance(cap, int | float) or not math.isfinite(cap) or cap <= 0:
            top.problem(_("类别“%(category)s”的扣分上限须为正数。", category=category))
        else:
            out["category_caps"][category] = cap
    # The last_time item counts every earlier problem found not closed: a second one would count each again.
    last_time = [_("第 %(s)d 节第 %(i)d 项", s=s, i=i) for s, section in enumerate(out["sections"], start=1)
                 for i, item in enumerate(section["items"], start=1) if item.get("last_time")]
    if len(last_time) > 1:
        top.problem(_("只能有一项 last_time(上次检查问题关闭情况):%(items)s。", items="、".join(last_time)))
    ceiling = top.number("veto_ceiling", 0)
    base = out["base_score"] if isinstance(out["base_score"], int) else 0
    if ceiling is None or not 0 <= ceiling < max(base, 1):
        top.problem(_("veto_ceiling 须为不小于 0、小于基础分的数字。"))
        ceiling = 0
    out["veto_ceiling"] = ceiling


def _refusal(errors: list[str]) -> TemplateError:
    if len(errors) == 1:
        return TemplateError(errors[0], errors)
    return TemplateError(_("模板有 %(n)d 处错误,第一处:%(first)s", n=len(errors), first=errors[0]), errors)


def validate_definition(raw: dict) -> dict:
    """The definition normalised (defaults filled), or TemplateError naming the section and item of each problem."""
    definition, found = _check(raw)
    if found:
        raise _refusal([text for _line, text in found])
    return definition


# -- JSON text with line numbers ----------------------------------------------------------------------

def _object_lines(text: str) -> list[int]:
    """The line where each JSON object starts, in the order a decoder finishes them (inner before outer).

    The text must be valid JSON: then braces inside strings are the only ones to skip, and no string
    holds a raw newline.
    """
    open_lines, finished = [], []
    line, in_string, escaped = 1, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            open_lines.append(line)
        elif char == "}":
            finished.append(open_lines.pop())
        elif char == "\n":
            line += 1
    return finished


class _Located(dict):
    """A JSON object that knows the line it starts on and which of its fields were written twice."""

    line: int | None = None
    duplicates: tuple[str, ...] = ()


def _located_objects(text: str):
    """An object_pairs_hook for json.loads: the decoder calls it as each object closes, in _object_lines order."""
    lines = iter(_object_lines(text))

    def hook(pairs):
        obj = _Located(pairs)
        obj.line = next(lines)
        names = [name for name, _value in pairs]
        obj.duplicates = tuple(dict.fromkeys(name for name in names if names.count(name) > 1))
        return obj

    return hook


def parse_template_json(text: str) -> dict:
    """Parse and validate a template file; every error starts with its line ("第 14 行:…")."""
    text = text.lstrip("\ufeff")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        error = _("第 %(line)d 行:JSON 语法错误(第 %(col)d 列:%(reason)s)。", line=exc.lineno, col=exc.colno,
                  reason=exc.msg)
        raise TemplateError(error, [error]) from None
    definition, found = _check(json.loads(text, object_pairs_hook=_located_objects(text)))
    if found:
        raise _refusal([_("第 %(line)d 行:%(error)s", line=line or 1, error=error) for line, error in found])
    return definition  # built afresh by _check: plain dicts, not the _Located ones
