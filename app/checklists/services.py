"""Checklist templates: saving versions, starters, export, and checking a filled checklist against its version."""
import copy
import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from app.accounts.services import member_ids
from app.checklists.definition import (  # noqa: F401  (part of this capability's interface)
    TemplateError,
    iter_items,
    parse_template_json,
    validate_definition,
)
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from app.checklists.rules import NUMBER
from app.core import audit
from app.core.db import get_posted
from app.core.notifications import notify
from app.core.refusal import Refusal

STARTERS = Path(__file__).parent / "starters"
CHECKPOINT_STARTERS = STARTERS / "checkpoints"  # the demo routes' checkpoints: 3-6 items that fit each one
MAX_TEXT_ANSWER = 1000
ANSWERS = {"pass_fail": ("pass", "fail", "na"), "yes_no": ("yes", "no")}


class AnswerError(Refusal):
    """A filled checklist refused; `fields` maps each item key to what is wrong with its answer."""


# -- templates and versions -------------------------------------------------------------------------

def templates_stmt(organisation_id: int, purpose: str | None = None, *, include_archived: bool = False):
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == organisation_id)
    if purpose is not None:
        stmt = stmt.where(ChecklistTemplate.purpose == purpose)
    if not include_archived:
        stmt = stmt.where(ChecklistTemplate.archived == False)  # noqa: E712
    return stmt.order_by(ChecklistTemplate.name, ChecklistTemplate.id)


def get_version(session: Session, version_id: int) -> ChecklistVersion | None:
    return session.get(ChecklistVersion, version_id)


def get_template(session: Session, template_id) -> ChecklistTemplate | None:
    return session.get(ChecklistTemplate, template_id) if template_id is not None else None


def posted_template(session: Session, raw) -> ChecklistTemplate | None:
    """The template whose id a form or a phone sent, or None."""
    return get_posted(session, ChecklistTemplate, raw)


def posted_version(session: Session, raw) -> ChecklistVersion | None:
    """The version whose id a form or a phone sent, or None."""
    return get_posted(session, ChecklistVersion, raw)


def templates_by_id(session: Session, ids) -> dict[int, ChecklistTemplate]:
    ids = {i for i in ids if i}
    return {t.id: t for t in session.exec(select(ChecklistTemplate).where(ChecklistTemplate.id.in_(ids)))} if ids else {}


def versions_by_id(session: Session, ids) -> dict[int, ChecklistVersion]:
    ids = {i for i in ids if i}
    return {v.id: v for v in session.exec(select(ChecklistVersion).where(ChecklistVersion.id.in_(ids)))} if ids else {}


def score_sheet_templates(session: Session, organisation_id: int) -> list[ChecklistTemplate]:
    """Every score sheet of the organisation, archived ones too (a ranking shows the month's sheets), by name."""
    return session.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == organisation_id,
                                                        ChecklistTemplate.is_score_sheet == True)  # noqa: E712
                        .order_by(ChecklistTemplate.name)).all()


def current_version(session: Session, template: ChecklistTemplate) -> ChecklistVersion:
    """The version new records are filled on (the latest, if the pointer was ever cleared)."""
    if template.current_version_id is not None:
        return session.get(ChecklistVersion, template.current_version_id)
    return session.exec(select(ChecklistVersion).where(ChecklistVersion.template_id == template.id)
                        .order_by(ChecklistVersion.number.desc())).first()


def save_template(session: Session, *, actor, organisation_id: int, definition: dict) -> ChecklistVersion:
    """Create the template or give it a new version; an unchanged definition returns the current version as is."""
    version = stage_template(session, actor=actor, organisation_id=organisation_id, definition=definition)
    session.commit()
    return version


def stage_template(session: Session, *, actor, organisation_id: int, definition: dict) -> ChecklistVersion:
    """`save_template` without the commit, for a caller that writes more in the same transaction."""
    definition = validate_definition(definition)
    template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == organisation_id,
                                                            ChecklistTemplate.key == definition["key"])).first()
    creating = template is None
    before = None
    if creating:
        template = ChecklistTemplate(organisation_id=organisation_id, key=definition["key"], name=definition["name"])
        session.add(template)
        session.flush()
    else:
        current = current_version(session, template)
        if current is not None and current.definition == definition:
            return current
        before = {"version": current and current.number, "name": template.name}
    number = session.exec(select(func.coalesce(func.max(ChecklistVersion.number), 0))
                          .where(ChecklistVersion.template_id == template.id)).one() + 1
    version = ChecklistVersion(template_id=template.id, number=number, definition=definition,
                               created_by=getattr(actor, "id", None))
    session.add(version)
    session.flush()
    template.name, template.purpose = definition["name"], definition["purpose"]
    template.is_score_sheet, template.base_score = definition["score_sheet"], definition["base_score"]
    template.current_version_id = version.id
    session.add(template)
    audit.record(session, actor=actor, action="template.create" if creating else "template.version", obj=template,
                 before=before, after={"key": template.key, "version": number, "name": template.name},
                 organisation_id=organisation_id)
    return version


def export_template(session: Session, template: ChecklistTemplate) -> dict:
    """The current definition, ready for json.dumps; importing it back changes nothing."""
    return copy.deepcopy(current_version(session, template).definition)


def import_starters(session: Session, *, organisation_id: int, actor=None, folder: Path = STARTERS
                    ) -> list[ChecklistVersion]:
    """Add the starter templates the organisation does not have yet; one it has (perhaps edited) is left alone.

    `folder` defaults to the general starters; CHECKPOINT_STARTERS holds short per-checkpoint patrol lists."""
    versions = []
    for path in sorted(folder.glob("*.json")):
        definition = parse_template_json(path.read_text(encoding="utf-8"))
        existing = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == organisation_id,
                                                                ChecklistTemplate.key == definition["key"])).first()
        if existing is not None:
            versions.append(current_version(session, existing))
        else:
            versions.append(save_template(session, actor=actor, organisation_id=organisation_id, definition=definition))
    return versions


# -- filled checklists -------------------------------------------------------------------------------

@dataclass
class Answered:
    """A filled checklist that passed check_answers."""

    values: dict[str, Any] = field(default_factory=dict)  # answered items only; numbers as float, photos as counts
    failed: list[str] = field(default_factory=list)  # item keys: "fail", "no", or a number out of its range
    tickets: list[str] = field(default_factory=list)  # the failed items that create a repair ticket


def _number(raw: str) -> float | None:
    """A number as typed on a phone (full-width digits too), or None; the phone checks the same pattern."""
    text = unicodedata.normalize("NFKC", raw).replace(" ", "")
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _answer(item: dict, raw: str, photos: int) -> tuple[Any, bool, str | None]:
    """(normalised value or None if unanswered, failed?, problem) for one item."""
    kind = item["type"]
    if kind in ("photo", "signature"):
        if photos == 0:
            return None, False, (_("须拍照。") if kind == "photo" else _("须签名。")) if item["required"] else None
        return photos, False, None
    if raw == "":
        return None, False, _("须填写。") if item["required"] else None
    if kind in ANSWERS:
        if raw not in ANSWERS[kind]:
            return None, False, _("须选择合格、不合格或不适用。") if kind == "pass_fail" else _("须选择是或否。")
        failed = raw in ("fail", "no")
        if failed and item["photo_when_failed"] and photos == 0:
            return raw, failed, _("不合格时须拍照。")
        return raw, failed, None
    if kind == "number":
        if raw == "na" and item.get("na_allowed"):
            return raw, False, None
        value = _number(raw)
        if value is None:
            return None, False, _("须为数字。")
        low, high = item["min"], item["max"]
        return value, (low is not None and value < low) or (high is not None and value > high), None
    if kind == "choice":
        return (raw, False, None) if raw in item["options"] else (None, False, _("须从选项中选择。"))
    if len(raw) > MAX_TEXT_ANSWER:
        return None, False, _("不能超过 %(n)d 字。", n=MAX_TEXT_ANSWER)
    return raw, False, None


ANSWER_LABELS = {"pass": _l("合格"), "fail": _l("不合格"), "na": _l("不适用"), "yes": _l("是"), "no": _l("否")}


def answer_label(item: dict, value) -> str:
    """An answer as a record shows it: 合格, "3", "22 ℃", 不适用, or what was typed; "—" if unanswered."""
    from app.core.formatting import quantity

    if value is None or value == "":
        return "—"
    if value in ANSWER_LABELS:
        return str(ANSWER_LABELS[value])
    if item["type"] == "number":
        return quantity(value, item.get("unit"))
    return str(value)


def check_answers(definition: dict, answers: dict, photo_counts: dict[str, int]) -> Answered:
    """Check a filled checklist as posted (item key → raw string; item key → photos attached).

    An out-of-range number is accepted and marked failed: it is a real reading of a real anomaly.
    Raises AnswerError with a message per item ("第 3 项“灭火器”不合格时须拍照。").
    """
    result, fields, messages = Answered(), {}, []
    for number, item in iter_items(definition):
        key = item["key"]
        raw = answers.get(key)
        raw = "" if raw is None else str(raw).strip()
        value, failed, problem = _answer(item, raw, int(photo_counts.get(key, 0) or 0))
        if problem:
            fields[key] = problem
            messages.append(_("第 %(n)d 项“%(label)s”%(problem)s", n=number, label=item["label"], problem=problem))
            continue
        if value is not None:
            result.values[key] = value
        if failed:
            result.failed.append(key)
            if item["creates_ticket"]:
                result.tickets.append(key)
    if messages:
        more = _(" 另有 %(n)d 项须修改。", n=len(messages) - 1) if len(messages) > 1 else ""
        raise AnswerError(messages[0] + more, fields)
    return result


def tell_failed(session: Session, *, project_id: int, key: str, items: list[str], event: str, params: dict,
                link: dict) -> None:
    """Tell the project's supervisors about a filled checklist's failed items (by label), ticket or not, once:
    `key` names the record and the place, a digest of the items is added, so a correction failing the same
    items is not told twice but one failing another item is. `event` is the caller's (params + items)."""
    digest = hashlib.sha256("|".join(sorted(items)).encode()).hexdigest()[:10]
    notify(session, user_ids=member_ids(session, project_id, ("supervisor",)), event=event,
           params={**params, "items": items}, link=link, project_id=project_id, key=f"{key}:{digest}")
