"""Opening and closing checks of a sample room; a closing one ends with the keys handed to the night guard."""
from flask_babel import gettext as _
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.services import member_ids, members, posted_user
from app.checklists.models import ChecklistVersion
from app.checklists.services import (
    check_answers,
    current_version,
    get_template,
    posted_version,
    tell_failed,
    templates_stmt,
)
from app.core import audit
from app.core.db import get_posted
from app.core.notifications import link
from app.core.photos import attach
from app.handovers import notices
from app.handovers.inventory import HandoverError
from app.handovers.models import CHECK_KINDS, CHECK_PHOTO, KEYS_SIGN, Room, RoomCheck
from app.handovers.services import is_blank
from app.projects.models import Project
from app.repairs.services import open_ticket
from app.sync.services import Submission


def guards_of(session: Session, project: Project) -> list[User]:
    return members(session, project.id, ("guard",))


def check_template(session: Session, project: Project, kind: str) -> ChecklistVersion | None:
    """The organisation's opening (or closing) checklist: the first template of that purpose."""
    template = session.exec(templates_stmt(project.organisation_id, kind)).first()
    return current_version(session, template) if template else None


def key_needs() -> list[dict]:
    """The guard who takes the keys and his signature, in the order `record_check` refuses them; a closing
    check's page embeds the same list for the phone (`static/js/rules.js` checkNeeds)."""
    return [{"field": "key_guard_id", "message": _("请选择接收钥匙的夜班保安(本项目的秩序维护员)。"),
             "problem": _("请选择保安")},
            {"field": "sign-guard", "message": _("缺少保安接收钥匙的签名。"), "problem": _("请签名")}]


def record_check(session: Session, submission: Submission, *, storage) -> tuple[RoomCheck, list]:
    """An opening or closing check sent as one record (a closing one with the key handover); with its tickets."""
    data, project = submission.data, submission.project
    room = get_posted(session, Room, data.get("room_id"))
    if room is None or room.project_id != project.id:
        raise HandoverError(_("找不到这个样板间。"), {"room_id": _("未知样板间")})
    kind = str(data.get("kind", ""))
    if kind not in CHECK_KINDS:
        raise HandoverError(_("未知的检查类型。"))
    version = posted_version(session, data.get("version_id"))
    template = get_template(session, version.template_id) if version else None
    if template is None or template.organisation_id != project.organisation_id or template.purpose != kind:
        raise HandoverError(_("检查表已不存在,请重新打开页面。"))
    items = [i for section in version.definition["sections"] for i in section["items"]]
    checked = check_answers(version.definition, {i["key"]: data.get(f"item-{i['key']}", "") for i in items},
                            {i["key"]: len(submission.photos_of(f"photo-{i['key']}")) for i in items})
    check = RoomCheck(project_id=project.id, room_id=room.id, kind=kind, version_id=version.id,
                      done_by=submission.user.id, done_at=submission.client_time, answers=checked.values,
                      failed=checked.failed, notes={i["key"]: str(data.get(f"note-{i['key']}") or "").strip()[:500]
                                                    for i in items if str(data.get(f"note-{i['key']}") or "").strip()})
    signature = None
    if kind == "closing":
        guard_rule, sign_rule = key_needs()
        guard = posted_user(session, data.get("key_guard_id"))
        if guard is None or guard.id not in member_ids(session, project.id, ("guard",)):
            raise HandoverError(guard_rule["message"], {"key_guard_id": guard_rule["problem"]})
        signature = (submission.photos_of("sign-guard") or [None])[0]
        if signature is None or is_blank(signature):
            raise HandoverError(sign_rule["message"], {"sign-guard": sign_rule["problem"]})
        check.key_guard_id, check.keys_at = guard.id, submission.client_time
    session.add(check)
    session.flush()
    prefix = f"checks/{project.id}/{submission.client_id}"
    for item in items:
        attach(session, storage, submission.photos_of(f"photo-{item['key']}"), project_id=project.id,
               owner_type=CHECK_PHOTO, owner_id=check.id, uploaded_by=submission.user.id,
               taken_at=submission.client_time, prefix=f"{prefix}/{item['key']}")
    if signature is not None:
        attach(session, storage, [signature], project_id=project.id, owner_type=KEYS_SIGN, owner_id=check.id,
               uploaded_by=check.key_guard_id, taken_at=submission.client_time, prefix=f"{prefix}/keys")
    tickets = []
    for key in checked.tickets:
        item = next(i for i in items if i["key"] == key)
        tickets.append(open_ticket(
            session, user=submission.user, project_id=project.id, description=f"{item['label']}:{_('不合格')}",
            source="handover", reported_at=submission.client_time, photos=submission.photos_of(f"photo-{key}"),
            photo_prefix=f"{prefix}/ticket-{key}", area_id=room.area_id, location=room.name, storage=storage))
    if checked.failed:
        labels = {i["key"]: i["label"] for i in items}
        tell_failed(session, project_id=project.id, key=f"handovers.check_failed:{check.id}", event=notices.CHECK_FAILED,
                    items=[labels[key] for key in checked.failed], params={"room": room.name, "kind": kind},
                    link=link("handovers.check", check_id=check.id))
    audit.record(session, actor=submission.user, action=f"room_check.{kind}", obj=check,
                 after={"room": room.name, "failed": checked.failed, "key_guard_id": check.key_guard_id})
    return check, tickets
