"""What every importer shares: its columns, reading one row's cells with line- and column-precise errors, and the
plan a preview shows (each line created, updated, unchanged or refused with its reason).

An importer is a `Kind`: `plan(session, actor=, project=, table=, options=)` reads the table and checks every row
against the database without writing; `apply(session, actor=, project=, plan=)` writes the plan's rows without
committing. `app.imports.services` runs both, so a file is applied whole in one transaction or not at all.
"""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from app.core.refusal import Refusal
from app.imports.reading import ImportRefused, Table
from app.reports.xlsx_export import letter

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
YES = {"是", "y", "yes", "true", "1", "√", "✓", "x", "要", "有"}
NO = {"否", "n", "no", "false", "0", "×", "不", "无", ""}
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
KINDS: dict[str, "Kind"] = {}


class CellError(Refusal):
    """One cell (or row) refused; the message already says where (「第 7 行 C 列:…」)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the template writes it (Chinese)
    note: Any  # lazy text for the notes sheet
    example: Any = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 14


@dataclass
class Line:
    line: int
    outcome: str
    label: str
    reason: str = ""


@dataclass
class Plan:
    kind: str
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole file: ignored columns
    data: Any = None  # the kind's own: what apply writes
    target: str = ""  # where the rows go when the page chose it (a sample room, a score sheet's name)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def refused(self) -> list[Line]:
        return [line for line in self.lines if line.outcome == REFUSED]

    def add(self, line: int, outcome: str, label: str, reason: str = "") -> None:
        self.lines.append(Line(line, outcome, label, reason))


@dataclass
class Outcome:
    message: str
    secrets: list[tuple[str, str, str]] = field(default_factory=list)  # users: (username, name, initial password)


class Kind:
    """One importer; subclasses set the class attributes and write plan and apply."""

    name = ""
    label: Any = ""
    sheet = ""
    columns: tuple[Column, ...] = ()
    roles: tuple[str, ...] = ("supervisor",)  # besides the admin
    exports = False  # its records can be written in the import's own layout (the round trip)
    titled = False  # the sheet's name is the record's name (a score sheet's)

    def plan(self, session, *, actor, project, table: Table, options: dict) -> Plan:
        raise NotImplementedError

    def apply(self, session, *, actor, project, plan: Plan) -> Outcome:
        raise NotImplementedError

    def export_rows(self, session, *, project, options: dict) -> tuple[list[list], str]:
        """The records in the import's own columns, and the name they go by (for the file's name)."""
        raise NotImplementedError


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def match_columns(table: Table, columns: tuple[Column, ...], plan: Plan) -> dict[str, int]:
    """{column key: index} found by header; a missing required column refuses the file, unknown ones are noted."""
    found: dict[str, int] = {}
    for index, header in enumerate(table.header):
        name = header.replace("*", "").strip().lower()
        column = next((c for c in columns if name in (c.header.lower(), *c.aliases)), None)
        if column is not None and column.key not in found:
            found[column.key] = index
        elif name:
            plan.notes.append(_("%(col)s 列“%(header)s”不认识,已忽略。", col=letter(index), header=header[:30]))
    missing = [str(c.header) for c in columns if c.required and c.key not in found]
    if missing:
        raise ImportRefused(_("表头缺少“%(names)s”列。请用下载的模板,表头在第 1 行。", names="、".join(missing)))
    return found


class Cells:
    """One row's cells by column key; each reader raises CellError naming the line and the column letter."""

    def __init__(self, row: list[str], line: int, found: dict[str, int], columns: tuple[Column, ...]):
        self.row, self.line, self.found = row, line, found
        self.headers = {c.key: c.header for c in columns}

    def where(self, key: str) -> str:
        index = self.found.get(key)
        if index is None:
            return _("第 %(line)d 行", line=self.line)
        return _("第 %(line)d 行 %(col)s 列", line=self.line, col=letter(index))

    def fail(self, key: str, problem: str):
        raise CellError(_("%(where)s:%(problem)s", where=self.where(key), problem=problem), {key: problem})

    def once(self, key: str, value, seen: dict) -> None:
        """Refuse a value an earlier row of the file already had (seen: value → line, filled by the caller)."""
        if value in seen:
            self.fail(key, _("与第 %(line)d 行重复", line=seen[value]))

    def raw(self, key: str) -> str:
        index = self.found.get(key)
        return self.row[index] if index is not None and index < len(self.row) else ""

    def text(self, key: str, limit: int = 120, required: bool = False) -> str:
        value = self.raw(key)
        label = self.headers[key]
        if required and not value:
            self.fail(key, _("%(label)s不能为空", label=label))
        if len(value) > limit:
            self.fail(key, _("%(label)s不能超过 %(n)d 字", label=label, n=limit))
        return value

    def number(self, key: str, low: float, high: float, *, whole: bool = False, required: bool = False):
        """A number between low and high, or None when empty and not required."""
        value = self.raw(key).replace(",", "").replace(" ", "")
        label = self.headers[key]
        if not value:
            if required:
                self.fail(key, _("%(label)s不能为空", label=label))
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if whole and low >= 1:
            problem = _("%(label)s须为正整数", label=label)
        else:
            problem = _("%(label)s须为整数", label=label) if whole else _("%(label)s须为数字", label=label)
        if not math.isfinite(number) or (whole and not number.is_integer()) or (whole and low >= 1 > number):
            self.fail(key, problem)
        if not low <= number <= high:
            self.fail(key, _("%(label)s须在 %(low)s 到 %(high)s 之间", label=label, low=f"{low:g}", high=f"{high:g}"))
        return int(number) if whole else number

    def flag(self, key: str) -> bool:
        value = self.raw(key).lower()
        if value in YES:
            return True
        if value in NO:
            return False
        self.fail(key, _("%(label)s须填“是”或“否”", label=self.headers[key]))

    def day(self, key: str) -> date | None:
        """A date typed as a date or as text (2026-12-01, 2026/12/1, 2026年12月1日)."""
        value = self.raw(key)
        if not value:
            return None
        match = DATE_TEXT.fullmatch(value.split(" ")[0])
        try:
            return date(*map(int, match.groups())) if match else datetime.fromisoformat(value).date()
        except ValueError:
            self.fail(key, _("%(label)s须为日期,如 2026-12-01", label=self.headers[key]))


def each_row(table: Table, found: dict[str, int], columns: tuple[Column, ...]):
    """(Cells) for every row of the table."""
    for row, line in zip(table.rows, table.lines):
        yield Cells(row, line, found, columns)


def first_refusal(plan: Plan) -> ImportRefused:
    refused = plan.refused
    more = _(" 另有 %(n)d 行有问题。", n=len(refused) - 1) if len(refused) > 1 else ""
    return ImportRefused(_("%(reason)s%(more)s 文件未导入,请改正后重试。", reason=refused[0].reason, more=more))
