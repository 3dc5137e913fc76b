"""The registers of a post: visitors (来访登记), lost property (失物招领), gifts handed in (礼品上缴), keys lent
(钥匙借还). Each entry comes from a phone (through the outbox) or the post's PC, checked whole before anything is
added: the rules of each form are one definition (`*_rules()`) that the server applies here and the phone applies
before queueing (`static/js/registers.js`). Entries are added without committing: the outbox commits them with
its sync record. Times typed on the form are the post's wall clock; left empty they are the record's own time.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import member_ids
from app.core import audit
from app.core.db import among, count_by, get_posted, local, update_if
from app.core.notifications import link, notify
from app.core.photos import attach
from app.core.refusal import Refusal
from app.core.validation import PHONE, needs, wall_moment, whole
from app.handovers.services import is_blank
from app.registers import notices
from app.registers.models import Found, Gift, KeyLoan, Visit
from app.shifts import services as shifts
from app.shifts.models import Post

REGISTERS = ("visitors", "lost", "gifts", "keys")
LABELS = {"visitors": _l("来访登记"), "lost": _l("失物招领"), "gifts": _l("礼品上缴"), "keys": _l("钥匙借还")}
MODELS = {"visitors": Visit, "lost": Found, "gifts": Gift, "keys": KeyLoan}
WHEN = {"visitors": Visit.in_at, "lost": Found.found_at, "gifts": Gift.received_at, "keys": KeyLoan.lent_at}
STILL_OPEN = {"visitors": Visit.out_at.is_(None), "lost": Found.returned_at.is_(None),
              "keys": KeyLoan.returned_at.is_(None)}  # a visitor still in, an item still kept, a key still out
ROLES = ("guard", "attendant", "frontdesk", "supervisor")  # who keeps the registers at a post
SLACK = timedelta(minutes=5)  # a time typed a little ahead of the phone's clock is "now"
UNCLAIMED_AFTER = timedelta(days=30)  # a found item kept longer is shown to the supervisor (our default)
MAX_VALUE = 10_000_000


class RegisterError(Refusal):
    """A register entry refused: what was typed cannot be recorded as it is."""


# -- the rules of each form, for the server here and the phone -------------------------------

def _need(field: str, message: str, problem: str) -> dict:
    return {"field": field, "message": message, "problem": problem}


def _order(first: str, then: str, field: str, message: str, problem: str) -> dict:
    """`first` is not after `then` ("now": the record's time, with SLACK); a rule with an empty side passes."""
    return {"first": first, "then": then, "field": field, "message": message, "problem": problem}


def _rules(needs_, times: dict, now_fields=(), one_of=(), order=()) -> dict:
    return {"needs": needs_, "times": times, "now": list(now_fields), "one_of": list(one_of), "order": list(order),
            "slack_minutes": int(SLACK.total_seconds() // 60)}


def _future(field: str, label: str) -> dict:
    return _order(field, "now", field, _("%(label)s不能晚于现在。", label=label), _("晚于现在"))


def visit_rules() -> dict:
    return _rules(
        [_need("visitor_name", _("请填写来访人姓名。"), _("请填写姓名")),
         _need("visiting", _("请填写被访人或房号。"), _("请填写被访人"))],
        {"in_at": _("进入时间"), "out_at": _("离开时间")}, now_fields=("in_at",),
        one_of=[{"fields": ["id_number", "phone"], "message": _("请填写证件号或联系电话(至少一项)。"),
                 "problem": _("请填写证件号或电话")}],
        order=[_future("in_at", _("进入时间")),
               _order("in_at", "out_at", "out_at", _("离开时间不能早于进入时间。"), _("早于进入时间")),
               _future("out_at", _("离开时间"))])


def found_rules() -> dict:
    return _rules(
        [_need("description", _("请填写物品描述。"), _("请填写物品")),
         _need("found_place", _("请填写拾获地点。"), _("请填写地点")),
         _need("kept_where", _("请填写物品存放处。"), _("请填写存放处"))],
        {"found_at": _("拾获时间")}, now_fields=("found_at",), order=[_future("found_at", _("拾获时间"))])


def return_rules() -> dict:
    """The receiver's name, phone and signature: a lost item is never handed over without them."""
    return _rules(
        [_need("receiver_name", _("请填写领取人姓名。"), _("请填写姓名")),
         _need("receiver_phone", _("请填写领取人联系电话。"), _("请填写电话")),
         _need("sign-receiver", _("缺少领取人的签名。"), _("请签名"))], {})


def police_rules() -> dict:
    """Handed to the police: the station, and its officer's name, phone and signature."""
    return _rules(
        [_need("police_station", _("请填写派出所名称。"), _("请填写派出所")),
         _need("receiver_name", _("请填写接收民警的姓名。"), _("请填写姓名")),
         _need("receiver_phone", _("请填写接收民警的联系电话。"), _("请填写电话")),
         _need("sign-receiver", _("缺少接收民警的签名。"), _("请签名"))], {})


def gift_rules() -> dict:
    return _rules(
        [_need("giver", _("请填写赠送人。"), _("请填写赠送人")), _need("item", _("请填写礼品内容。"), _("请填写礼品")),
         _need("handed_to", _("请填写上缴给谁。"), _("请填写接收人"))],
        {"received_at": _("收到时间")}, now_fields=("received_at",), order=[_future("received_at", _("收到时间"))])


def key_rules(keys_out: list[str] = ()) -> dict:
    """`keys_out`: the keys of the post not returned yet, which cannot be lent again (the phone checks them too)."""
    rules = _rules(
        [_need("key_name", _("请填写钥匙名称。"), _("请填写钥匙")), _need("borrower", _("请填写借用人。"), _("请填写借用人")),
         _need("due_at", _("请填写应还时间。"), _("请填写应还时间"))],
        {"lent_at": _("借出时间"), "due_at": _("应还时间")}, now_fields=("lent_at",),
        order=[_future("lent_at", _("借出时间")),
               _order("lent_at", "due_at", "due_at", _("应还时间须晚于借出时间。"), _("早于借出时间"))])
    rules["keys_out"] = list(keys_out)
    rules["key_out"] = {"message": _("这把钥匙还没有归还,不能再次借出。"), "problem": _("尚未归还")}
    return rules


def check(rules: dict, data: dict, *, now: datetime, tz: ZoneInfo) -> dict[str, datetime | None]:
    """Refuse the first broken rule, in the phone's order; the times read ({field: UTC moment or None})."""
    needs(rules["needs"], data, error=RegisterError)
    for rule in rules["one_of"]:
        if not any(str(data.get(name) or "").strip() for name in rule["fields"]):
            raise RegisterError(rule["message"], {rule["fields"][0]: rule["problem"]})
    times = {name: wall_moment(data.get(name), label, name, tz=tz, error=RegisterError)
             for name, label in rules["times"].items()}
    times.update({name: times[name] or now for name in rules["now"]})
    seen = {**times, "now": now}
    for rule in rules["order"]:
        first, then = seen.get(rule["first"]), seen.get(rule["then"])
        slack = SLACK if "now" in (rule["first"], rule["then"]) else timedelta(0)
        if first is not None and then is not None and first > then + slack:
            raise RegisterError(rule["message"], {rule["field"]: rule["problem"]})
    return times


def _text(data: dict, field: str, label: str, limit: int) -> str:
    value = str(data.get(field) or "").strip()
    if len(value) > limit:
        raise RegisterError(_("%(label)s不能超过 %(n)d 字。", label=label, n=limit), {field: _("太长")})
    return value


def _phone(data: dict, field: str) -> str:
    value = _text(data, field, _("联系电话"), 20)
    if value and not PHONE.fullmatch(value):
        raise RegisterError(_("电话“%(phone)s”不是有效的号码。", phone=value), {field: _("号码不对")})
    return value


def masked(value: str) -> str:
    """An ID number or a phone as shown on the registers: its first and last digits only (138****5678)."""
    value = (value or "").strip()
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) >= 5:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


# -- finding what an entry refers to ----------------------------------------------------------

def post_in(session: Session, raw, *, project_id: int) -> Post:
    """The active post of this project whose id was sent, else a refusal naming the field."""
    post = shifts.post_of(session, raw)
    if post is None or post.project_id != project_id or not post.active:
        raise RegisterError(_("请选择本项目的岗位。"), {"post_id": _("请选择岗位")})
    return post


def entry_in(session: Session, register: str, raw, *, project_id: int):
    """An entry of this project's register whose id was sent, else a 404 refusal."""
    entry = get_posted(session, MODELS[register], raw)
    if entry is None or entry.project_id != project_id:
        raise RegisterError(_("找不到这条登记,可能已被删除。"), status=404)
    return entry


# -- visitors ---------------------------------------------------------------------------------

def record_visit(session: Session, *, actor: User, post: Post, data: dict, at: datetime, tz: ZoneInfo) -> Visit:
    times = check(visit_rules(), data, now=at, tz=tz)
    visit = Visit(project_id=post.project_id, post_id=post.id, visitor_name=_text(data, "visitor_name", _("姓名"), 60),
                  id_number=_text(data, "id_number", _("证件号"), 30), phone=_phone(data, "phone"),
                  visiting=_text(data, "visiting", _("被访人或房号"), 80), reason=_text(data, "reason", _("来访事由"), 200),
                  plate=_text(data, "plate", _("车牌号"), 20).upper(), in_at=times["in_at"], out_at=times["out_at"],
                  recorded_by=actor.id, out_by=actor.id if times["out_at"] else None)
    session.add(visit)
    session.flush()
    audit.record(session, actor=actor, action="register.visit", obj=visit, after={"post": post.name})
    return visit


def sign_out(session: Session, *, actor: User, visit: Visit, at: datetime) -> Visit:
    """The visitor leaves at `at`; a visitor already signed out stays as signed (two guards tapping at once)."""
    if visit.out_at is not None:
        return visit
    if at < visit.in_at:
        raise RegisterError(_("离开时间不能早于进入时间。"), {"out_at": _("早于进入时间")})
    if update_if(session, visit, Visit.out_at.is_(None), out_at=at, out_by=actor.id):
        audit.record(session, actor=actor, action="register.visit_out", obj=visit)
    return visit


# -- lost property ----------------------------------------------------------------------------

def record_found(session: Session, *, storage, actor: User, post: Post, data: dict, photos: list, at: datetime,
                 tz: ZoneInfo, prefix: str) -> Found:
    times = check(found_rules(), data, now=at, tz=tz)
    found = Found(project_id=post.project_id, post_id=post.id, found_at=times["found_at"],
                  found_place=_text(data, "found_place", _("拾获地点"), 80), found_by=_text(data, "found_by", _("拾获人"), 60),
                  description=_text(data, "description", _("物品描述"), 500),
                  kept_where=_text(data, "kept_where", _("存放处"), 80), recorded_by=actor.id)
    session.add(found)
    session.flush()
    attach(session, storage, photos, project_id=post.project_id, owner_type="register_found", owner_id=found.id,
           uploaded_by=actor.id, taken_at=at, prefix=prefix)
    audit.record(session, actor=actor, action="register.found", obj=found, after={"post": post.name})
    return found


def return_found(session: Session, *, storage, actor: User, found: Found, data: dict, signature, at: datetime,
                 prefix: str) -> Found:
    """Hand a found item to its owner (`returned_to` "owner", the default) or to a police station ("police": the
    station and its officer): name, phone and a drawn signature, never one without the others."""
    to = data.get("returned_to") or "owner"
    if to not in ("owner", "police"):
        raise RegisterError(_("无法识别物品的去向。"), {"returned_to": _("请选择")})
    if found.returned_at is not None:  # said first: what was typed no longer matters
        raise RegisterError(_("这件物品已于 %(when)s 交给 %(name)s。", when=f"{local(found.returned_at):%m-%d %H:%M}",
                              name=found.police_station or found.receiver_name), status=409)
    rules = return_rules() if to == "owner" else police_rules()
    needs(rules["needs"], {**data, "sign-receiver": signature is not None and not is_blank(signature)},
          error=RegisterError)
    station = _text(data, "police_station", _("派出所"), 80) if to == "police" else ""
    name, phone = _text(data, "receiver_name", _("领取人姓名"), 60), _phone(data, "receiver_phone")
    if at < found.found_at:
        raise RegisterError(_("归还时间不能早于拾获时间。"))
    # Returned only if still kept in the database: of two guards returning it at once, the second is told.
    if not update_if(session, found, Found.returned_at.is_(None), returned_at=at, receiver_name=name,
                     receiver_phone=phone, returned_by=actor.id, returned_to=to, police_station=station):
        raise RegisterError(_("这件物品已经归还。"), status=409)
    attach(session, storage, [signature], project_id=found.project_id, owner_type="register_found_sign",
           owner_id=found.id, uploaded_by=actor.id, taken_at=at, prefix=prefix)
    audit.record(session, actor=actor, action="register.found_return", obj=found,
                 after={"receiver": name, "to": to, "station": station})
    return found


# -- gifts handed in --------------------------------------------------------------------------

def record_gift(session: Session, *, storage, actor: User, post: Post, data: dict, photos: list, at: datetime,
                tz: ZoneInfo, prefix: str) -> Gift:
    """A gift handed in; the project's supervisors are told at once (「事后立即向上级汇报」, seed 001)."""
    times = check(gift_rules(), data, now=at, tz=tz)
    raw_value = str(data.get("value") or "").strip()
    value = whole(raw_value, _("估价"), 0, MAX_VALUE, field="value", error=RegisterError) if raw_value else None
    gift = Gift(project_id=post.project_id, post_id=post.id, received_at=times["received_at"],
                giver=_text(data, "giver", _("赠送人"), 60), item=_text(data, "item", _("礼品内容"), 200), value=value,
                handed_to=_text(data, "handed_to", _("上缴给"), 60), note=_text(data, "note", _("备注"), 200),
                recorded_by=actor.id)
    session.add(gift)
    session.flush()
    attach(session, storage, photos, project_id=post.project_id, owner_type="register_gift", owner_id=gift.id,
           uploaded_by=actor.id, taken_at=at, prefix=prefix)
    notify(session, user_ids=[i for i in member_ids(session, post.project_id, ("supervisor",)) if i != actor.id],
           event=notices.GIFT_HANDED_IN, params={"post": post.name, "giver": gift.giver, "item": gift.item,
                                                 "handed_to": gift.handed_to, "by": actor.display_name},
           link=link("registers.post_register", post_id=post.id, register="gifts"), project_id=post.project_id,
           key=f"register_gift:{gift.id}")
    audit.record(session, actor=actor, action="register.gift", obj=gift, after={"post": post.name, "value": value})
    return gift


# -- keys -------------------------------------------------------------------------------------

def keys_out(session: Session, post_id: int) -> list[KeyLoan]:
    return session.exec(select(KeyLoan).where(KeyLoan.post_id == post_id, KeyLoan.returned_at.is_(None))
                        .order_by(KeyLoan.due_at, KeyLoan.id)).all()


def lend_key(session: Session, *, actor: User, post: Post, data: dict, at: datetime, tz: ZoneInfo) -> KeyLoan:
    rules = key_rules()
    times = check(rules, data, now=at, tz=tz)
    name = _text(data, "key_name", _("钥匙名称"), 60)
    if any(loan.key_name == name for loan in keys_out(session, post.id)):
        raise RegisterError(rules["key_out"]["message"], {"key_name": rules["key_out"]["problem"]}, status=409)
    loan = KeyLoan(project_id=post.project_id, post_id=post.id, key_name=name,
                   borrower=_text(data, "borrower", _("借用人"), 60), borrower_phone=_phone(data, "borrower_phone"),
                   lent_at=times["lent_at"], due_at=times["due_at"], note=_text(data, "note", _("备注"), 200),
                   lent_by=actor.id)
    session.add(loan)
    session.flush()
    audit.record(session, actor=actor, action="register.key_lend", obj=loan, after={"key": name, "post": post.name})
    return loan


def return_key(session: Session, *, actor: User, loan: KeyLoan, at: datetime) -> KeyLoan:
    """The key is back at `at`; a key already returned stays as it was (a second tap changes nothing)."""
    if loan.returned_at is not None:
        return loan
    if at < loan.lent_at:
        raise RegisterError(_("归还时间不能早于借出时间。"))
    if update_if(session, loan, KeyLoan.returned_at.is_(None), returned_at=at, returned_by=actor.id):
        audit.record(session, actor=actor, action="register.key_return", obj=loan)
    return loan


# -- what the pages show ----------------------------------------------------------------------

def open_entries(session: Session, register: str, post_id: int) -> list:
    """What still waits at the post: visitors in, items kept, keys out (the overdue first); gifts: none."""
    if register == "keys":
        return keys_out(session, post_id)
    if register not in STILL_OPEN:
        return []
    model = MODELS[register]
    return session.exec(select(model).where(model.post_id == post_id, STILL_OPEN[register])
                        .order_by(WHEN[register].desc(), model.id.desc())).all()


def month_stmt(register: str, *, start: datetime, end: datetime, project_id: int, post_id: int | None = None):
    """The entries of [start, end) by their first time, newest first; of one post, or of the whole project."""
    model = MODELS[register]
    stmt = select(model).where(model.project_id == project_id, WHEN[register] >= start, WHEN[register] < end)
    if post_id is not None:
        stmt = stmt.where(model.post_id == post_id)
    return stmt.order_by(WHEN[register].desc(), model.id.desc())


def post_counts(session: Session, post_ids: list[int], *, now: datetime, month_start: datetime) -> dict[str, dict]:
    """{what: {post id: n}} for the index: visitors in, items kept, keys out, keys overdue, gifts this month."""
    return {"visitors": count_by(session, Visit.post_id, post_ids, STILL_OPEN["visitors"]),
            "lost": count_by(session, Found.post_id, post_ids, STILL_OPEN["lost"]),
            "keys": count_by(session, KeyLoan.post_id, post_ids, STILL_OPEN["keys"]),
            "overdue": count_by(session, KeyLoan.post_id, post_ids, STILL_OPEN["keys"], KeyLoan.due_at < now),
            "gifts": count_by(session, Gift.post_id, post_ids, Gift.received_at >= month_start)}


def overdue_keys(session: Session, project_ids: list[int], now: datetime) -> list[KeyLoan]:
    """Keys still out past their due time, in these projects, the longest overdue first (one query)."""
    if not project_ids:
        return []
    return session.exec(select(KeyLoan).where(among(KeyLoan.project_id, project_ids), STILL_OPEN["keys"],
                                              KeyLoan.due_at < now).order_by(KeyLoan.due_at, KeyLoan.id)).all()


def overdue_counts(session: Session, project_ids: list[int], now: datetime) -> dict[int, int]:
    return count_by(session, KeyLoan.project_id, project_ids, STILL_OPEN["keys"], KeyLoan.due_at < now)


def unclaimed(session: Session, project_ids: list[int], now: datetime) -> list[Found]:
    """Found items kept longer than UNCLAIMED_AFTER, in these projects, the oldest first (one query)."""
    if not project_ids:
        return []
    return session.exec(select(Found).where(among(Found.project_id, project_ids), STILL_OPEN["lost"],
                                            Found.found_at < now - UNCLAIMED_AFTER)
                        .order_by(Found.found_at, Found.id)).all()


def known_keys(session: Session, post_id: int, limit: int = 30) -> list[str]:
    """The names of keys lent at this post before, the most lent first: the form suggests them."""
    return list(session.exec(sa.select(KeyLoan.key_name).where(KeyLoan.post_id == post_id)
                             .group_by(KeyLoan.key_name).order_by(sa.func.count().desc(), KeyLoan.key_name)
                             .limit(limit)).scalars())
