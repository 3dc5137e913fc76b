"""Posts, shift patterns and the shift log: clocking in and out, the visitor counter, events, open matters.

A shift may cross midnight (夜班 20:00-08:00): each shift knows the local day it began (`shift_day`) and until
when it takes the phone's records if never clocked out (`covers_until`), both fixed at clock-in.

Actions that come from the phone (clock in/out, counter, events, matters) take the moment they happened
(`at`, the device time of the outbox record) and add rows without committing: the outbox commits them
with its sync record. Set-up actions (posts, patterns) commit.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import lock_user, roles_in, users_by_id
from app.core import audit
from app.core.db import among, count_by, get_posted, local, update_if, zone
from app.core.photos import Photo, attach, photos_by_owner
from app.core.refusal import Refusal
from app.core.validation import clock, required_text, whole
from app.projects.models import Project
from app.shifts import notices  # noqa: F401  (registers the shifts' notification events)
from app.shifts.models import Attendance, Matter, Post, RestockRequest, ShiftEvent, ShiftPattern

MAX_TEXT = 500
MAX_TAPS = 100  # one outbox record adds at most this many visitors: a stuck button is not a crowd
OVERTIME = timedelta(hours=4)  # a shift never clocked out still takes records this long after its end

# The kinds of post, and the role that holds each: the sales centre's posts are the attendants', the rest guards'.
POST_KINDS = {"sales": "attendant", "car_park": "guard", "greeter": "guard", "lobby": "guard",
              "monitoring": "guard", "patrol": "guard"}


def post_kind_labels() -> dict[str, str]:
    return {"sales": _("案场岗"), "car_park": _("车场岗"), "greeter": _("迎宾岗"), "lobby": _("大堂岗"),
            "monitoring": _("监控岗"), "patrol": _("巡逻岗")}


class ShiftError(Refusal):
    """A refusal of the shifts' rules, shown to the user as it is (on the page or the phone)."""


# -- local time -------------------------------------------------------------------------------

def local_day(moment: datetime) -> date:
    return local(moment).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day [start, end) as UTC instants."""
    start = datetime.combine(day, time(0), tzinfo=zone())
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


# -- posts and shift patterns -----------------------------------------------------------------

def posts_of(session: Session, project: Project, *, active_only: bool = False) -> list[Post]:
    stmt = select(Post).where(Post.project_id == project.id)
    if active_only:
        stmt = stmt.where(Post.active == True)  # noqa: E712
    return session.exec(stmt.order_by(Post.id)).all()


def patterns_of(session: Session, project: Project, *, active_only: bool = False) -> list[ShiftPattern]:
    stmt = select(ShiftPattern).where(ShiftPattern.project_id == project.id)
    if active_only:
        stmt = stmt.where(ShiftPattern.active == True)  # noqa: E712
    return session.exec(stmt.order_by(ShiftPattern.start, ShiftPattern.id)).all()


def _unique_name(session: Session, model, project: Project, name: str, current) -> None:
    other = session.exec(select(model).where(model.project_id == project.id, model.name == name)).first()
    if other is not None and other is not current:
        raise ShiftError(_("“%(name)s”已存在,请换一个名称。", name=name))


def save_post(session: Session, *, actor: User, project: Project, name: str, active: bool = True,
              kind: str | None = None, always_manned: bool | None = None, post: Post | None = None) -> Post:
    """A post; `kind` and `always_manned` left None keep what the post has (a sales post when new)."""
    name = required_text(name, _("岗位名称"), 40, ShiftError)
    if kind is not None and kind not in POST_KINDS:
        raise ShiftError(_("请选择岗位类型。"), {"kind": _("请选择岗位类型。")})
    _unique_name(session, Post, project, name, post)
    fields = ("name", "active", "kind", "always_manned")
    before = post and audit.snapshot(post, fields)
    post = post or Post(project_id=project.id, name=name)
    post.name, post.active = name, active
    post.kind = kind or post.kind or "sales"
    if always_manned is not None:
        post.always_manned = always_manned
    session.add(post)
    audit.record(session, actor=actor, action="shift_post.update" if before else "shift_post.create", obj=post,
                 before=before, after=audit.snapshot(post, fields))
    session.commit()
    return post


def save_pattern(session: Session, *, actor: User, project: Project, name: str, start, end, active: bool = True,
                 pattern: ShiftPattern | None = None) -> ShiftPattern:
    """A shift pattern; one that ends before it starts crosses midnight (夜班 20:00-08:00), one that ends
    when it starts is refused."""
    name = required_text(name, _("班次名称"), 40, ShiftError)
    begin = clock(start, _("上班时间"), example="08:00", error=ShiftError)
    finish = clock(end, _("下班时间"), example="08:00", error=ShiftError)
    if finish == begin:
        raise ShiftError(_("下班时间不能与上班时间相同(都是 %(start)s);跨夜的班次如夜班填 20:00 至 08:00。",
                           start=f"{begin:%H:%M}"), {"end": _("须与上班时间不同")})
    _unique_name(session, ShiftPattern, project, name, pattern)
    fields = ("name", "start", "end", "active")
    before = pattern and {k: str(v) for k, v in audit.snapshot(pattern, fields).items()}
    pattern = pattern or ShiftPattern(project_id=project.id, name=name, start=begin, end=finish)
    pattern.name, pattern.start, pattern.end, pattern.active = name, begin, finish, active
    session.add(pattern)
    audit.record(session, actor=actor, action="shift_pattern.update" if before else "shift_pattern.create",
                 obj=pattern, before=before, after={k: str(v) for k, v in audit.snapshot(pattern, fields).items()})
    session.commit()
    return pattern


# -- which shift a moment belongs to ---------------------------------------------------------

def window(pattern: ShiftPattern, day: date) -> tuple[datetime, datetime]:
    """The pattern's shift that begins on the local `day`, as UTC instants; an overnight one ends the next day."""
    start = datetime.combine(day, pattern.start, tzinfo=zone())
    end = datetime.combine(day + timedelta(days=pattern.overnight), pattern.end, tzinfo=zone())
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def shift_day_of(pattern: ShiftPattern, moment: datetime) -> date:
    """The local day of the shift a clock-in at `moment` belongs to: on an overnight shift, a clock-in before its
    end (02:00 on 20:00-08:00) is the night that began the day before; 20:00, or 19:45, is tonight's."""
    wall = local(moment)
    if pattern.overnight and wall.time() < pattern.end:
        return wall.date() - timedelta(days=1)
    return wall.date()


def shift_times(pattern: ShiftPattern, started_at: datetime) -> dict:
    """The shift_day and covers_until of a shift on `pattern` clocked in at `started_at` (see Attendance)."""
    day = shift_day_of(pattern, started_at)
    return {"shift_day": day, "covers_until": max(day_bounds(day)[1], window(pattern, day)[1] + OVERTIME)}


def pattern_now(patterns: list[ShiftPattern], now: datetime) -> ShiftPattern | None:
    """The pattern whose shift is on at `now`, else the next to begin: what a clock-in form offers first."""
    def wait(p):
        start, end = window(p, shift_day_of(p, now))
        return timedelta(0) if start <= now < end else (start - now) % timedelta(days=1)
    return min(patterns, key=wait, default=None)


# -- clocking in and out ----------------------------------------------------------------------

def _hm(moment: datetime) -> str:
    return f"{local(moment):%m-%d %H:%M}"


def open_attendance(session: Session, *, user: User, project: Project, at: datetime | None = None
                    ) -> Attendance | None:
    """The user's shift in this project that has no clock-out yet; with `at`, only one that still covers `at`:
    a shift open long past its end was forgotten."""
    stmt = select(Attendance).where(Attendance.user_id == user.id, Attendance.project_id == project.id,
                                    Attendance.ended_at.is_(None))
    if at is not None:
        stmt = stmt.where(Attendance.covers_until > at)
    return session.exec(stmt).first()


def attendance_at(session: Session, *, user: User, project: Project, at: datetime) -> Attendance:
    """The user's shift in this project that covers the moment `at`; what phone records attach to. A shift
    never clocked out covers until its covers_until (the rest of its day, or a while past an overnight end),
    not the next morning's taps."""
    found = session.exec(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.project_id == project.id, Attendance.started_at <= at,
        sa.or_(sa.and_(Attendance.ended_at.is_(None), Attendance.covers_until > at),
               Attendance.ended_at >= at))).first()
    if found is None:
        raise ShiftError(_("%(when)s 您不在岗:请先上岗打卡。", when=_hm(at)))
    return found


def scheduled_end(attendance: Attendance, pattern: ShiftPattern) -> datetime:
    """When the shift was due to end: its pattern's end after the local day it began (the next day if overnight)."""
    return max(window(pattern, attendance.shift_day)[1], attendance.started_at)


def close_forgotten(session: Session, *, user: User, at: datetime) -> list[Attendance]:
    """The person's shifts left open past their scheduled end (no clock-out): they end there, marked, so the
    next clock-in is not refused for yesterday's forgotten one."""
    closed = []
    for attendance in session.exec(select(Attendance).where(Attendance.user_id == user.id,
                                                            Attendance.ended_at.is_(None))).all():
        end = scheduled_end(attendance, session.get(ShiftPattern, attendance.pattern_id))
        if end <= at:
            attendance.ended_at, attendance.closed_unclocked = end, True
            session.add(attendance)
            audit.record(session, actor=user, action="shift.closed_unclocked", obj=attendance,
                         after={"at": end.isoformat()})
            closed.append(attendance)
    session.flush()
    return closed


def clock_in(session: Session, *, user: User, project: Project, post_id, pattern_id, at: datetime) -> Attendance:
    """Start a shift on a post of the user's role; one person is never on two shifts at once, in any project."""
    post = get_posted(session, Post, post_id)
    if post is None or post.project_id != project.id or not post.active:
        raise ShiftError(_("请选择本项目的岗位。"))
    if not roles_in(session, user, project) & {POST_KINDS.get(post.kind, "attendant"), "admin"}:
        raise ShiftError(_("“%(post)s”不是您的岗位,请选择您值守的岗位。", post=post.name), status=403)
    pattern = get_posted(session, ShiftPattern, pattern_id)
    if pattern is None or pattern.project_id != project.id or not pattern.active:
        raise ShiftError(_("请选择班次。"))
    # Two phones clocking the same person in at once: the second waits for the first, then sees its shift.
    lock_user(session, user.id)
    close_forgotten(session, user=user, at=at)
    # [at, open end) overlaps every shift still open and every shift that ended after `at`.
    clash = session.exec(select(Attendance).where(
        Attendance.user_id == user.id, sa.or_(Attendance.ended_at.is_(None), Attendance.ended_at > at))
        .order_by(Attendance.started_at)).first()
    if clash is not None:
        other = session.get(Post, clash.post_id)
        if clash.ended_at is None:
            raise ShiftError(_("您已在“%(post)s”上岗(%(start)s 起),请先下班打卡。", post=other.name,
                               start=_hm(clash.started_at)), status=409)
        raise ShiftError(_("这个时间与您在“%(post)s”%(start)s 至 %(end)s 的班次重叠。", post=other.name,
                           start=_hm(clash.started_at), end=_hm(clash.ended_at)), status=409)
    attendance = Attendance(project_id=project.id, post_id=post.id, pattern_id=pattern.id, user_id=user.id,
                            started_at=at, **shift_times(pattern, at))
    session.add(attendance)
    audit.record(session, actor=user, action="shift.clock_in", obj=attendance,
                 after={"post": post.name, "shift": pattern.name, "at": at.isoformat()})
    return attendance


def clock_out(session: Session, *, user: User, project: Project, at: datetime) -> Attendance:
    """End the user's open shift here; it cannot end before it started."""
    attendance = open_attendance(session, user=user, project=project)
    if attendance is None:
        raise ShiftError(_("您在这个项目没有未下班的班次。"), status=409)
    if at <= attendance.started_at:
        raise ShiftError(_("下班时间(%(end)s)不能早于上班时间(%(start)s)。", end=_hm(at),
                           start=_hm(attendance.started_at)))
    if at > attendance.covers_until:
        raise ShiftError(_("%(start)s 上岗的班次早已过了下班时间,不能隔天下班打卡;请重新上岗打卡,它会按班次结束时间结束。",
                           start=_hm(attendance.started_at)), status=409)
    attendance.ended_at = at
    session.add(attendance)
    audit.record(session, actor=user, action="shift.clock_out", obj=attendance, after={"at": at.isoformat()})
    return attendance


def add_visitors(session: Session, *, user: User, project: Project, at: datetime, count) -> Attendance:
    """Add `count` visitors to the shift covering `at`; additive in SQL, so copies from phones never overwrite."""
    count = whole(count, _("接待人数"), 1, MAX_TAPS, error=ShiftError)
    attendance = attendance_at(session, user=user, project=project, at=at)
    session.exec(sa.update(Attendance).where(Attendance.id == attendance.id)
                 .values(visitors=Attendance.visitors + count))
    session.refresh(attendance)
    return attendance


def add_event(session: Session, *, storage, user: User, project: Project, at: datetime, text: str, photos: list,
              photo_prefix: str, camera: str = "", action: str = "") -> ShiftEvent:
    """A line of the duty log (值班记录); on a monitoring post also the camera and what was done."""
    text = required_text(text, _("事件内容"), MAX_TEXT, ShiftError)
    camera, action = (camera or "").strip(), (action or "").strip()
    if len(camera) > 40 or len(action) > MAX_TEXT:
        raise ShiftError(_("摄像头不能超过 40 字,处理情况不能超过 500 字。"))
    attendance = attendance_at(session, user=user, project=project, at=at)
    event = ShiftEvent(project_id=project.id, attendance_id=attendance.id, at=at, text=text, camera=camera,
                       action=action)
    session.add(event)
    session.flush()
    attach(session, storage, photos, project_id=project.id, owner_type="shift_event", owner_id=event.id,
           uploaded_by=user.id, taken_at=at, prefix=photo_prefix)
    return event


# -- open matters -----------------------------------------------------------------------------

def raise_matter(session: Session, *, user: User, project: Project, at: datetime, text: str) -> Matter:
    """A matter handed to the next shift ("what was not finished today goes into the handover book")."""
    text = required_text(text, _("交接事项"), MAX_TEXT, ShiftError)
    attendance = attendance_at(session, user=user, project=project, at=at)
    matter = Matter(project_id=project.id, attendance_id=attendance.id, text=text, raised_by=user.id, raised_at=at)
    session.add(matter)
    audit.record(session, actor=user, action="shift_matter.raise", obj=matter, after={"text": text})
    return matter


def acknowledge(session: Session, *, user: User, matter: Matter, at: datetime) -> Matter:
    """The next shift confirms it has taken the matter over; a second confirmation changes nothing."""
    if matter.raised_by == user.id:
        raise ShiftError(_("交接事项须由接班人确认,不能确认自己交出的事项。"))
    if matter.closed_at is not None or matter.acknowledged_at is not None:
        return matter
    # Taken over only if nobody did meanwhile: of two people confirming at once, the first one stays.
    if update_if(session, matter, Matter.acknowledged_at.is_(None), Matter.closed_at.is_(None),
                 acknowledged_by=user.id, acknowledged_at=at):
        audit.record(session, actor=user, action="shift_matter.acknowledge", obj=matter)
    return matter


def close_matter(session: Session, *, user: User, matter: Matter, note: str, at: datetime,
                 supervising: bool) -> Matter:
    """Close a matter: once acknowledged by the next shift, or at any time by a supervisor."""
    if matter.closed_at is not None:
        raise ShiftError(_("这个事项已经关闭。"), status=409)
    if matter.acknowledged_at is None and not supervising:
        raise ShiftError(_("事项须先由接班人确认,才能关闭。"), status=409)
    note = (note or "").strip()
    if len(note) > 200:
        raise ShiftError(_("处理说明不能超过 200 字。"))
    # Closed only if still open in the database: of two people closing it at once, the second is told.
    if not update_if(session, matter, Matter.closed_at.is_(None), closed_by=user.id, closed_at=at, close_note=note):
        session.rollback()
        raise ShiftError(_("这个事项已经关闭。"), status=409)
    audit.record(session, actor=user, action="shift_matter.close", obj=matter, after={"note": note})
    session.commit()
    return matter


def open_matters(session: Session, project: Project) -> list[Matter]:
    """Matters not closed yet, the unacknowledged first, oldest first."""
    return session.exec(select(Matter).where(Matter.project_id == project.id, Matter.closed_at.is_(None))
                        .order_by(Matter.acknowledged_at.is_not(None), Matter.raised_at, Matter.id)).all()


# -- what the pages show ----------------------------------------------------------------------

@dataclass
class ShiftRow:
    """A shift log line with its names resolved."""

    attendance: Attendance
    post: Post
    pattern: ShiftPattern
    user: User

    def past_end(self, now: datetime) -> bool:
        """Still open after its scheduled end: the attendant has not clocked out."""
        return self.attendance.ended_at is None and scheduled_end(self.attendance, self.pattern) < now


def rows_of(session: Session, attendances: list[Attendance]) -> list[ShiftRow]:
    posts = {p.id: p for p in session.exec(select(Post).where(Post.id.in_({a.post_id for a in attendances})))}
    patterns = {p.id: p for p in session.exec(select(ShiftPattern).where(
        ShiftPattern.id.in_({a.pattern_id for a in attendances})))}
    users = users_by_id(session, {a.user_id for a in attendances})
    return [ShiftRow(a, posts[a.post_id], patterns[a.pattern_id], users[a.user_id]) for a in attendances]


def occupancy(session: Session, project: Project) -> list[tuple[Post, list[ShiftRow]]]:
    """Each active post with who is on it now, and any post taken out of use while someone is still on it."""
    on_duty = rows_of(session, session.exec(select(Attendance).where(
        Attendance.project_id == project.id, Attendance.ended_at.is_(None)).order_by(Attendance.started_at)).all())
    manned = {r.post.id for r in on_duty}
    return [(post, [r for r in on_duty if r.post.id == post.id])
            for post in posts_of(session, project) if post.active or post.id in manned]


def shifts_of_day(session: Session, project: Project, day: date) -> list[ShiftRow]:
    """The shifts that ran during the local day, by start. A shift never clocked out belongs to the days it
    covered (its own, and the next morning if overnight), not to every day until its owner next clocks in."""
    start, end = day_bounds(day)
    return rows_of(session, session.exec(select(Attendance).where(
        Attendance.project_id == project.id, Attendance.started_at < end,
        sa.or_(sa.and_(Attendance.ended_at.is_(None), Attendance.covers_until > start), Attendance.ended_at >= start))
        .order_by(Attendance.started_at, Attendance.id)).all())


def events_of(session: Session, attendance_ids) -> list[ShiftEvent]:
    return session.exec(select(ShiftEvent).where(ShiftEvent.attendance_id.in_(list(attendance_ids)))
                        .order_by(ShiftEvent.at, ShiftEvent.id)).all()


def with_photos(session: Session, events: list[ShiftEvent]) -> list[tuple[ShiftEvent, list[Photo]]]:
    """Each event with its photos, in one query for all of them (a busy day has many events)."""
    photos = photos_by_owner(session, "shift_event", [e.id for e in events])
    return [(e, photos.get(e.id, [])) for e in events]


def matters_of(session: Session, attendance_ids) -> list[Matter]:
    return session.exec(select(Matter).where(Matter.attendance_id.in_(list(attendance_ids)))
                        .order_by(Matter.raised_at, Matter.id)).all()



# -- many projects at once (the home page): a fixed number of queries ------------------------

def posts_on_duty(session: Session, *, user: User, project_ids: list[int], at: datetime) -> dict[int, Post]:
    """{project id: the post of the user's shift there still open and covering `at`}."""
    if not project_ids:
        return {}
    return dict(session.exec(select(Attendance.project_id, Post).join(Post, Post.id == Attendance.post_id).where(
        Attendance.user_id == user.id, among(Attendance.project_id, project_ids), Attendance.ended_at.is_(None),
        Attendance.covers_until > at)).all())


def matters_to_acknowledge(session: Session, project_ids: list[int], *, user: User) -> dict[int, int]:
    """{project id: open matters not acknowledged yet that someone other than `user` raised}."""
    return count_by(session, Matter.project_id, project_ids, Matter.closed_at.is_(None),
                    Matter.acknowledged_at.is_(None), sa.or_(Matter.raised_by.is_(None), Matter.raised_by != user.id))


def with_posts(session: Session, project_ids: list[int]) -> set[int]:
    """Those of the projects that have posts."""
    return set(count_by(session, Post.project_id, project_ids))


def pending_restocks(session: Session, project_ids: list[int]) -> dict[int, int]:
    return count_by(session, RestockRequest.project_id, project_ids, RestockRequest.status == "pending")


# -- posts for other capabilities (the registers kept at a post) ------------------------------

def post_of(session: Session, post_id) -> Post | None:
    """The post whose id a URL or a form sent, of any project (the caller checks the project), or None."""
    return get_posted(session, Post, post_id)


def posts_in(session: Session, project_ids, *, active_only: bool = True) -> list[Post]:
    """The posts of these projects, in one query, by project and creation."""
    if not project_ids:
        return []
    stmt = select(Post).where(among(Post.project_id, project_ids))
    if active_only:
        stmt = stmt.where(Post.active == True)  # noqa: E712
    return session.exec(stmt.order_by(Post.project_id, Post.id)).all()


def posts_by_id(session: Session, ids) -> dict[int, Post]:
    ids = {i for i in ids if i is not None}
    return {p.id: p for p in session.exec(select(Post).where(Post.id.in_(ids)))} if ids else {}
def opening_hours(session: Session, project_ids: list[int]) -> dict[int, tuple[time, time]]:
    """{project id: (the first active shift's start, the last one's end)} of those of the projects with shifts,
    in one grouped query: when the sales centre opens and closes."""
    if not project_ids:
        return {}
    return {p: (first, last) for p, first, last in session.exec(
        select(ShiftPattern.project_id, sa.func.min(ShiftPattern.start), sa.func.max(ShiftPattern.end))
        .where(among(ShiftPattern.project_id, project_ids), ShiftPattern.active == True)  # noqa: E712
        .group_by(ShiftPattern.project_id)).all()}

