"""Channels: setting them up, queueing each alert once per channel, and delivering the queue (run by the clock).

A notification added by `notify()` queues one delivery per listening channel of its project, in the same
transaction; nothing is sent while a user waits for a page. `deliver_due` (the clock, or `flask channels deliver`)
claims each due row with compare-and-set, sends it, and records the platform's answer; a failure is retried
with a doubling wait up to a limit, then the project's supervisors are told in the bell.
"""
import logging
import re
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.channels import notices, senders
from app.channels.models import KINDS, Channel, Delivery
from app.config import Config
from app.core import audit
from app.core.db import insert_new, update_if
from app.core.notifications import Notification, link, notify, on_notify, text_in
from app.core.refusal import Refusal
from app.core.validation import whole
from app.projects.services import get_project

KIND_LABELS = {"wecom": _l("企业微信群机器人"), "dingtalk": _l("钉钉机器人"), "feishu": _l("飞书机器人"),
               "email": _l("电子邮件")}
STATUS_LABELS = {"pending": _l("待发送"), "sending": _l("发送中"), "sent": _l("已发送"), "failed": _l("发送失败")}
# The capabilities whose alerts a channel may pick (an event "repairs.dispatched" belongs to "repairs").
EVENT_GROUPS = {"repairs": _l("报修工单"), "patrols": _l("巡更"), "handovers": _l("样板间交接"),
                "shifts": _l("案场值班"), "inspections": _l("品质检查"), "complaints": _l("投诉"),
                "incidents": _l("特殊事件"), "registers": _l("岗位登记")}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EVENT_NAME = re.compile(r"[a-z_]+(\.[a-z_]+)*")
SECRET = {"dingtalk": re.compile(r"SEC[0-9A-Za-z]{10,100}"), "feishu": re.compile(r"[0-9A-Za-z]{8,100}")}
log = logging.getLogger(__name__)
# A robot's address must be on its platform's host: a settings form must not become a way to make the server
# call (and show the answer of) an address inside the company's network. CHANNEL_HOSTS adds others (a private
# deployment of the platform; the tests' local receivers).
ROBOT_HOSTS = {"wecom": ("qyapi.weixin.qq.com",), "dingtalk": ("oapi.dingtalk.com",),
               "feishu": ("open.feishu.cn", "open.larksuite.com")}
STALE_CLAIM = timedelta(minutes=10)  # a claim this old belongs to a ticker that died mid-send: send it again


class ChannelError(Refusal):
    pass


# -- setting up ---------------------------------------------------------------------------------------------

def channels_of(session: Session, project_id: int) -> list[Channel]:
    return session.exec(all_channels_stmt().where(Channel.project_id == project_id)).all()


def all_channels_stmt():
    return select(Channel).order_by(Channel.project_id, Channel.id)


def last_deliveries(session: Session, channels: list[Channel]) -> dict[int, Delivery]:
    """Each channel's newest delivery (what the settings page shows as its last result)."""
    last: dict[int, Delivery] = {}
    for channel in channels:
        row = session.exec(select(Delivery).where(Delivery.channel_id == channel.id)
                           .order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(1)).first()
        if row is not None:
            last[channel.id] = row
    return last


def _target(kind: str, raw: str, extra_hosts) -> str:
    target = (raw or "").strip()
    if kind == "email":
        if not EMAIL.fullmatch(target) or len(target) > 254:
            raise ChannelError(_("请填写有效的电子邮件地址。"), {"target": _("格式不对")})
        return target
    parts = urllib.parse.urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(target) > 500:
        raise ChannelError(_("机器人地址须以 http:// 或 https:// 开头(从群机器人设置中复制 Webhook 地址)。"),
                           {"target": _("须为 http(s) 地址")})
    hosts = ROBOT_HOSTS[kind] + tuple(extra_hosts)
    if parts.hostname not in hosts:
        raise ChannelError(_("%(kind)s的地址须在 %(hosts)s 上(其他地址须由管理员在 CHANNEL_HOSTS 中允许)。",
                             kind=KIND_LABELS[kind], hosts="、".join(ROBOT_HOSTS[kind])), {"target": _("地址不对")})
    return target


def _secret(kind: str, raw: str) -> str:
    secret = (raw or "").strip()
    if not secret:
        return ""
    if kind not in SECRET:
        raise ChannelError(_("%(kind)s不使用签名密钥,请留空。", kind=KIND_LABELS[kind]), {"secret": _("请留空")})
    if not SECRET[kind].fullmatch(secret):
        hint = _("钉钉的加签密钥以 SEC 开头") if kind == "dingtalk" else _("飞书的签名密钥只含字母和数字")
        raise ChannelError(_("签名密钥无效:%(hint)s。", hint=hint), {"secret": _("无效")})
    return secret


def _events(raw) -> list[str]:
    names = raw.replace(",", " ").split() if isinstance(raw, str) else [str(n).strip() for n in raw or ()]
    for name in names:
        if not EVENT_NAME.fullmatch(name) or len(name) > 60:
            raise ChannelError(_("无法识别提醒类型“%(name)s”。", name=name[:60]), {"events": _("无法识别")})
    return sorted(set(names))


def save_channel(session: Session, *, actor, project_id: int, channel: Channel | None = None, kind: str,
                 target: str, secret: str | None = None, events=(), name: str = "", locale: str = "zh_Hans",
                 digest_hour=None, active: bool = True, extra_hosts=()) -> Channel:
    """Add or change a channel, every field checked. On a change, an empty target or `secret=None` keeps the
    stored one (the page never shows them back whole). `extra_hosts`: config CHANNEL_HOSTS."""
    if kind not in KINDS:
        raise ChannelError(_("请选择渠道类型。"), {"kind": _("请选择")})
    if channel is not None and not (target or "").strip() and kind == channel.kind:
        target = channel.target
    if channel is not None and secret is None and kind == channel.kind:
        secret = channel.secret
    values = {"kind": kind, "target": _target(kind, target, extra_hosts), "secret": _secret(kind, secret or ""),
              "events": _events(events), "name": (name or "").strip()[:60],
              "locale": locale if locale in Config.LANGUAGES else "zh_Hans", "active": bool(active),
              "digest_hour": None if digest_hour is None or str(digest_hour).strip() == "" else whole(
                  digest_hour, _("日报时间"), 0, 23, field="digest_hour", error=ChannelError)}
    before = masked(channel) if channel else None
    channel = channel or Channel(project_id=project_id, created_by=getattr(actor, "id", None))
    for key, value in values.items():
        setattr(channel, key, value)
    session.add(channel)
    audit.record(session, actor=actor, action="channel.save", obj=channel, before=before, after=masked(channel))
    session.commit()
    return channel


def delete_channel(session: Session, *, actor, channel: Channel) -> None:
    audit.record(session, actor=actor, action="channel.delete", obj=channel, before=masked(channel))
    session.delete(channel)
    session.commit()


def mask(value: str) -> str:
    """A secret as shown back: its first and last characters only."""
    if not value:
        return ""
    return f"{value[:3]}…{value[-4:]}" if len(value) >= 12 else "…"


def masked_target(channel: Channel) -> str:
    """The target as shown back: a robot's URL carries its key (in the query or the path), so only the host
    and the last characters are shown; an e-mail address is shown whole."""
    if channel.kind == "email":
        return channel.target
    parts = urllib.parse.urlsplit(channel.target)
    rest = channel.target[len(f"{parts.scheme}://{parts.netloc}"):]
    return f"{parts.scheme}://{parts.netloc}" + (f"/…{rest[-4:]}" if len(rest) > 8 else rest)


def masked(channel: Channel) -> dict:
    return {"kind": channel.kind, "name": channel.name, "target": masked_target(channel),
            "secret": mask(channel.secret), "events": channel.events, "locale": channel.locale,
            "digest_hour": channel.digest_hour, "active": channel.active}


def label(channel: Channel) -> str:
    return channel.name or f"{KIND_LABELS[channel.kind]} #{channel.id}"


# -- queueing -----------------------------------------------------------------------------------------------

def listens(channel: Channel, event_name: str) -> bool:
    """A channel with no event list takes every alert; else the named events and capabilities."""
    return not channel.events or any(event_name == e or event_name.startswith(e + ".") for e in channel.events)


@on_notify
def enqueue(session: Session, added: list[Notification]) -> None:
    """One delivery per listening channel for the alert one notify() call made, whatever its recipients."""
    alert = added[0]  # one call: one project, event, parameters and link for all recipients
    if not alert.project_id or alert.event.startswith("channels."):
        return
    channels = [c for c in session.exec(select(Channel).where(Channel.project_id == alert.project_id,
                                                              Channel.active == True)).all()  # noqa: E712
                if listens(c, alert.event)]
    if not channels:
        return
    key = f"{alert.event or 'text'}:{alert.key}" if alert.key else f"once:{uuid.uuid4().hex}"
    key = key[:120]
    # the same alert raised by two requests at once is queued once, and the second request does not fail
    insert_new(session, [Delivery(channel_id=c.id, alert_key=key, event=alert.event, params=dict(alert.params or {}),
                                  link=dict(alert.link or {}) or ({"path": alert.url} if alert.url else {}),
                                  body="" if alert.event else alert.text) for c in channels],
               unique=["channel_id", "alert_key"])


def enqueue_text(session: Session, channel: Channel, *, key: str, body: str, now: datetime,
                 link_: dict | None = None) -> bool:
    """Queue a ready message (a digest, a test) once per key; False when that key was already queued."""
    if session.exec(select(Delivery.id).where(Delivery.channel_id == channel.id, Delivery.alert_key == key)).first():
        return False
    session.add(Delivery(channel_id=channel.id, alert_key=key[:120], body=body[:4000], link=link_ or {},
                         next_attempt_at=now, created_at=now))
    session.commit()
    return True


def enqueue_test(session: Session, channel: Channel, now: datetime) -> None:
    """A test message, sent by the clock like any alert (the page that asks for it does not wait for it)."""
    with force_locale(channel.locale):
        body = _("这是一条测试消息:渠道“%(name)s”已连通。", name=label(channel))
    enqueue_text(session, channel, key=f"test:{now.isoformat()}", body=body, now=now)


# -- delivering ---------------------------------------------------------------------------------------------

def message_for(session: Session, delivery: Delivery, channel: Channel, url_of: Callable[[dict], str]
                ) -> senders.Message:
    """The delivery in the channel's language: the project's name as title, the text, the record's link."""
    text = delivery.body or text_in(Notification(event=delivery.event, params=delivery.params), channel.locale)
    with force_locale(channel.locale):
        link_label = _("查看")
    project = get_project(session, channel.project_id)
    return senders.Message(title=project.name if project else "", text=text, url=url_of(delivery.link or {}),
                           link_label=link_label, locale=channel.locale)


def _due_stmt(now: datetime, limit: int, channel_id: int | None):
    stmt = select(Delivery).where(((Delivery.status == "pending") & (Delivery.next_attempt_at <= now))
                                  | ((Delivery.status == "sending") & (Delivery.claimed_at < now - STALE_CLAIM)))
    if channel_id is not None:
        stmt = stmt.where(Delivery.channel_id == channel_id)
    return stmt.order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)


def claim(session: Session, delivery: Delivery, now: datetime) -> bool:
    """Take the row for this ticker only: whoever changes it first from the state read sends it."""
    done = update_if(session, delivery, Delivery.status == delivery.status, Delivery.attempts == delivery.attempts,
                     status="sending", claimed_at=now, attempts=delivery.attempts + 1)
    session.commit()
    return done


def deliver_due(session: Session, now: datetime, *, url_of: Callable[[dict], str], smtp: senders.Smtp,
                timeout: float = 5.0, max_attempts: int = 6, retry_seconds: int = 60, limit: int = 100,
                channel_id: int | None = None) -> dict:
    """Send what is due, one row at a time (each claim and each result its own short transaction); a target
    that fails or hangs (up to `timeout`) is recorded and the run goes on. Returns counts by outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery in session.exec(_due_stmt(now, limit, channel_id)).all():
        if not claim(session, delivery, now):
            continue  # another ticker has it
        channel = session.get(Channel, delivery.channel_id)
        if not channel.active:  # switched off since the alert was queued: recorded, not sent
            delivery.status, delivery.answer = "failed", "the channel is switched off"
            session.commit()
            continue
        try:
            answer = senders.send(channel.kind, channel.target, channel.secret,
                                  message_for(session, delivery, channel, url_of),
                                  timeout=timeout, smtp=smtp, now_ms=int(now.timestamp() * 1000))
        except senders.SendFailed as exc:
            counts[_failed(session, delivery, channel, str(exc), now, max_attempts, retry_seconds)] += 1
        except Exception as exc:  # a bug must not hold the row in "sending" nor stop the others
            log.exception("channel delivery %s failed", delivery.id)
            session.rollback()
            counts[_failed(session, delivery, channel, f"error: {exc!r}", now, max_attempts, retry_seconds)] += 1
        else:
            delivery.status, delivery.answer, delivery.sent_at = "sent", answer[:500], now
            counts["sent"] += 1
        session.add(delivery)
        session.commit()
    return counts


def _failed(session: Session, delivery: Delivery, channel: Channel, reason: str, now: datetime, max_attempts: int,
            retry_seconds: int) -> str:
    delivery.answer = reason[:500]
    if delivery.attempts < max_attempts:
        delivery.status = "pending"
        delivery.next_attempt_at = now + timedelta(seconds=retry_seconds * 2 ** (delivery.attempts - 1))
        return "retry"
    delivery.status = "failed"
    notify(session, user_ids=member_ids(session, channel.project_id, ("supervisor",)), event=notices.GAVE_UP,
           params={"channel": label(channel), "attempts": delivery.attempts, "reason": reason[:120]},
           link=link("channels.settings", project_id=channel.project_id), project_id=channel.project_id,
           key=f"channel-failing:{channel.id}:{now.date().isoformat()}")
    return "failed"


def send_now(session: Session, channel: Channel, now: datetime, **settings) -> Delivery:
    """`flask channels test`: queue a test message and deliver it at once (from the command line)."""
    enqueue_test(session, channel, now)
    deliver_due(session, now, channel_id=channel.id, **settings)
    return session.exec(select(Delivery).where(Delivery.channel_id == channel.id)
                        .order_by(Delivery.id.desc()).limit(1)).one()
