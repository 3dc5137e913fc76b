"""The water bar (接待物耗日记表): catalogue, daily usage, the 17:15 stock count, variance and restocking.

The arithmetic, per item and local day D, walking the days in order:

    opening(D)  = the book stock at the start of D
    expected(D) = opening(D) − used(D) + restocked(D)
    variance(D) = expected(D) − counted(D)          (only on a day with a count)
    book stock after D = counted(D) if D was counted, else expected(D)

The first day opens with the item's `initial_stock` (期初库存). A positive variance is a shortfall
(短缺: less on the shelf than the book says), a negative one a surplus. Usage recorded after the count
of the same day still belongs to that day: it changes the day's variance, not the counted stock.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.accounts.services import member_ids
from app.core import audit
from app.core.db import among, get_posted, locked, update_if
from app.core.formatting import starter
from app.core.notifications import link, notify
from app.core.validation import required_text, whole
from app.projects.models import Project
from app.shifts.models import RestockRequest, WaterCount, WaterEntry, WaterItem
from app.shifts.notices import RESTOCK_APPROVED, RESTOCK_DECLINED, RESTOCK_REQUESTED
from app.shifts.services import ShiftError, local_day

MAX_QUANTITY = 100_000


# -- the catalogue ----------------------------------------------------------------------------

def items_of(session: Session, project: Project, *, active_only: bool = False) -> list[WaterItem]:
    stmt = select(WaterItem).where(WaterItem.project_id == project.id)
    if active_only:
        stmt = stmt.where(WaterItem.active == True)  # noqa: E712
    return session.exec(stmt.order_by(WaterItem.id)).all()


def save_item(session: Session, *, actor: User, project: Project, name: str, unit: str, min_stock, initial_stock=0,
              active: bool = True, item: WaterItem | None = None) -> WaterItem:
    name = required_text(name, _("物品名称"), 40, ShiftError)
    unit = required_text(unit, _("单位"), 10, ShiftError)
    minimum = whole(min_stock, _("最低库存"), 0, MAX_QUANTITY, error=ShiftError)
    initial = whole(initial_stock, _("期初库存"), 0, MAX_QUANTITY, error=ShiftError)
    other = session.exec(select(WaterItem).where(WaterItem.project_id == project.id, WaterItem.name == name)).first()
    if other is not None and other is not item:
        raise ShiftError(_("“%(name)s”已在物品清单中。", name=name))
    fields = ("name", "unit", "min_stock", "initial_stock", "active")
    before = item and audit.snapshot(item, fields)
    item = item or WaterItem(project_id=project.id, name=name, unit=unit)
    item.name, item.unit, item.min_stock, item.initial_stock, item.active = name, unit, minimum, initial, active
    if before and before["initial_stock"] != initial:  # a lower opening stock must not leave a day's book below 0
        short = next((ln for ln in ledger(session, [item])[item.id] if ln.expected < 0), None)
        if short is not None:
            session.rollback()
            raise ShiftError(_("期初库存改为 %(n)d 后,%(day)s 的账面库存会变成 %(stock)d %(unit)s。请核对期初库存。",
                               n=initial, day=short.day.strftime("%m-%d"), stock=short.expected, unit=unit))
    session.add(item)
    audit.record(session, actor=actor, action="water_item.update" if before else "water_item.create", obj=item,
                 before=before, after=audit.snapshot(item, fields))
    session.commit()
    return item


# -- the ledger -------------------------------------------------------------------------------

@dataclass
class DayLine:
    day: date
    opening: int
    used: int
    restocked: int
    counted: int | None

    @property
    def expected(self) -> int:
        return self.opening - self.used + self.restocked

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.expected - self.counted

    @property
    def closing(self) -> int:
        return self.expected if self.counted is None else self.counted


def ledger(session: Session, items: list[WaterItem], *, until: date | None = None,
           extra: dict[tuple[int, date], tuple[int, int]] | None = None) -> dict[int, list[DayLine]]:
    """Each item's days with usage or a count, up to `until`; `extra` adds (used, restocked) not yet saved."""
    ids = [i.id for i in items]
    sums_stmt = (select(WaterEntry.item_id, WaterEntry.day, func.sum(WaterEntry.used), func.sum(WaterEntry.restocked))
                 .where(WaterEntry.item_id.in_(ids)).group_by(WaterEntry.item_id, WaterEntry.day))
    counts_stmt = select(WaterCount.item_id, WaterCount.day, WaterCount.counted).where(WaterCount.item_id.in_(ids))
    if until is not None:
        sums_stmt = sums_stmt.where(WaterEntry.day <= until)
        counts_stmt = counts_stmt.where(WaterCount.day <= until)
    sums = {(i, d): (int(u or 0), int(r or 0)) for i, d, u, r in session.exec(sums_stmt)}
    for key, (used, restocked) in (extra or {}).items():
        old = sums.get(key, (0, 0))
        sums[key] = (old[0] + used, old[1] + restocked)
    counts = {(i, d): c for i, d, c in session.exec(counts_stmt)}
    out = {}
    for item in items:
        stock, lines = item.initial_stock, []
        for day in sorted({d for i, d in sums if i == item.id} | {d for i, d in counts if i == item.id}):
            used, restocked = sums.get((item.id, day), (0, 0))
            line = DayLine(day=day, opening=stock, used=used, restocked=restocked, counted=counts.get((item.id, day)))
            lines.append(line)
            stock = line.closing
        out[item.id] = lines
    return out


def stock_of(item: WaterItem, lines: list[DayLine]) -> int:
    """The book stock now: after the last day with usage or a count."""
    return lines[-1].closing if lines else item.initial_stock


def stock_levels(session: Session, project: Project) -> dict[int, int]:
    items = items_of(session, project)
    book = ledger(session, items)
    return {item.id: stock_of(item, book[item.id]) for item in items}


def day_sheet(session: Session, project: Project, day: date, *, active_only: bool = True
              ) -> list[tuple[WaterItem, DayLine]]:
    """Every item's line for one local day (a day without usage or count opens and closes at the book stock)."""
    items = items_of(session, project, active_only=active_only)
    book = ledger(session, items, until=day)
    sheet = []
    for item in items:
        lines = book[item.id]
        if lines and lines[-1].day == day:
            sheet.append((item, lines[-1]))
        else:
            sheet.append((item, DayLine(day=day, opening=stock_of(item, lines), used=0, restocked=0, counted=None)))
    return sheet


@dataclass
class MonthLine:
    item: WaterItem
    used: int
    restocked: int
    counted_days: int
    variance: int  # the sum of the month's daily variances (shortfall positive)


def month_summary(session: Session, project: Project, year: int, month: int) -> list[MonthLine]:
    items = items_of(session, project)
    book = ledger(session, items)
    out = []
    for item in items:
        lines = [ln for ln in book[item.id] if (ln.day.year, ln.day.month) == (year, month)]
        out.append(MonthLine(item=item, used=sum(ln.used for ln in lines), restocked=sum(ln.restocked for ln in lines),
                             counted_days=sum(ln.counted is not None for ln in lines),
                             variance=sum(ln.variance or 0 for ln in lines)))
    return out


# -- recording usage and counts (from the phone) ----------------------------------------------

def _item_for(session: Session, project: Project, raw_id) -> WaterItem:
    item = get_posted(session, WaterItem, raw_id)
    if item is None or item.project_id != project.id or not item.active:
        raise ShiftError(_("物品清单已更改,请刷新页面后重新填写。"))
    return item


def _lock(session: Session, items) -> None:
    """Hold the items' rows until commit: two phones' records of one item are checked (stock not below 0,
    one restock pending at a time) one after the other, not both against the same old book."""
    ids = sorted({item.id for item in items})
    if ids:
        locked(session, select(WaterItem.id).where(WaterItem.id.in_(ids)).order_by(WaterItem.id)).all()


def parse_quantities(data: dict, prefix: str, *, keep_zero: bool = False) -> dict[str, str]:
    """{item id: typed value} from fields named "<prefix>-<item id>"; blanks (and zeros unless kept) left out."""
    skip = ("",) if keep_zero else ("", "0")
    return {key.removeprefix(prefix + "-"): str(value).strip() for key, value in data.items()
            if key.startswith(prefix + "-") and str(value).strip() not in skip}


def record_usage(session: Session, *, user: User, project: Project, at: datetime, used: dict, restocked: dict
                 ) -> list[WaterEntry]:
    """Add quantities used and restocked to the local day of `at`; refuse any that would take stock below 0."""
    day = local_day(at)
    quantities: dict[int, list[int]] = {}
    items: dict[int, WaterItem] = {}
    for position, values in enumerate((used, restocked)):
        for raw_id, value in values.items():
            item = _item_for(session, project, raw_id)
            items[item.id] = item
            label = _("%(item)s的用量", item=item.name) if position == 0 else _("%(item)s的补货", item=item.name)
            quantities.setdefault(item.id, [0, 0])[position] = whole(value, label, 0, MAX_QUANTITY, error=ShiftError)
    quantities = {k: v for k, v in quantities.items() if any(v)}
    if not quantities:
        raise ShiftError(_("请至少填写一项用量或补货数量。"))
    _lock(session, items.values())
    book = ledger(session, list(items.values()), extra={(i, day): tuple(q) for i, q in quantities.items()})
    for item_id in quantities:
        item = items[item_id]
        short = next((ln for ln in book[item_id] if ln.day >= day and ln.expected < 0), None)
        if short is not None and short.day == day:
            # what the attendant saw on the page (the book now, plus what this entry restocks) and typed, not the
            # day's totals, which include what others recorded earlier
            typed = quantities[item_id][0]
            raise ShiftError(_("%(item)s库存不足:账面只有 %(stock)d %(unit)s,不能用掉 %(used)d %(unit)s。",
                               item=item.name, stock=short.expected + typed, used=typed, unit=starter(item.unit)))
        if short is not None:  # a late record from an offline phone: the shortfall shows on a later day
            raise ShiftError(_("%(item)s库存不足:记上这 %(used)d %(unit)s,%(day)s 的账面库存会变成 %(stock)d %(unit)s。"
                               "请核对各天的用量和补货。", item=item.name, used=quantities[item_id][0],
                               unit=starter(item.unit), day=short.day.strftime("%m-%d"), stock=short.expected))
    entries = [WaterEntry(project_id=project.id, item_id=i, day=day, used=u, restocked=r, user_id=user.id, at=at)
               for i, (u, r) in quantities.items()]
    session.add_all(entries)
    session.flush()
    request_restock(session, user=user, project=project, items=list(items.values()), at=at)
    return entries


def record_count(session: Session, *, user: User, project: Project, at: datetime, counts: dict) -> list[WaterCount]:
    """The end-of-day stock count: one figure per item for the local day of `at`; a recount replaces it."""
    day = local_day(at)
    rows = []
    items = [_item_for(session, project, raw_id) for raw_id in counts]
    _lock(session, items)
    for item, value in zip(items, counts.values(), strict=True):
        counted = whole(value, _("%(item)s的盘点数量", item=item.name), 0, MAX_QUANTITY, error=ShiftError)
        row = session.exec(select(WaterCount).where(WaterCount.item_id == item.id, WaterCount.day == day)).first()
        before = row and {"counted": row.counted}
        row = row or WaterCount(project_id=project.id, item_id=item.id, day=day, counted=counted, at=at)
        row.counted, row.at, row.user_id = counted, at, user.id
        session.add(row)
        audit.record(session, actor=user, action="water_count.recount" if before else "water_count.count", obj=row,
                     before=before, after={"item": item.name, "day": day.isoformat(), "counted": counted})
        rows.append(row)
    if not rows:
        raise ShiftError(_("请至少填写一项盘点数量。"))
    session.flush()
    request_restock(session, user=user, project=project, items=items, at=at)
    return rows


# -- restock requests -------------------------------------------------------------------------

def request_restock(session: Session, *, user: User, project: Project, items: list[WaterItem], at: datetime
                    ) -> list[RestockRequest]:
    """Items now under their minimum get a RestockRequest and the supervisors a notice: one open RestockRequest
    per item, open meaning pending, or approved with the goods not restocked since (else every cup used while the
    delivery is on its way would ask again)."""
    book = ledger(session, items)
    made = []
    for item in items:
        stock = stock_of(item, book[item.id])
        if stock >= item.min_stock:
            continue
        latest = session.exec(select(RestockRequest).where(RestockRequest.item_id == item.id)
                              .order_by(RestockRequest.id.desc())).first()
        if latest is not None and latest.status == "pending":
            continue
        if latest is not None and latest.status == "approved" and session.exec(select(WaterEntry.id).where(
                WaterEntry.item_id == item.id, WaterEntry.restocked > 0, WaterEntry.at >= latest.decided_at)
                ).first() is None:
            continue
        restock = RestockRequest(project_id=project.id, item_id=item.id, stock=stock, requested_by=user.id,
                                 requested_at=at)
        session.add(restock)
        session.flush()
        notify(session, user_ids=member_ids(session, project.id, ("supervisor",)), event=RESTOCK_REQUESTED,
               params={"item": item.name, "stock": stock, "unit": item.unit, "min": item.min_stock},
               link=link("shifts.board", project_id=project.id), project_id=project.id, key=f"restock:{restock.id}")
        made.append(restock)
    return made


def pending_requests(session: Session, project: Project) -> list[tuple[RestockRequest, WaterItem]]:
    return pending_in(session, [project.id])


def pending_in(session: Session, project_ids: list[int]) -> list[tuple[RestockRequest, WaterItem]]:
    """The restock requests of many projects waiting for a decision, the oldest first, in one query."""
    if not project_ids:
        return []
    return session.exec(select(RestockRequest, WaterItem).join(WaterItem, WaterItem.id == RestockRequest.item_id)
                        .where(among(RestockRequest.project_id, project_ids), RestockRequest.status == "pending")
                        .order_by(RestockRequest.requested_at, RestockRequest.id)).all()


def decide(session: Session, *, actor: User, restock: RestockRequest, approve: bool, reason: str, at: datetime
           ) -> RestockRequest:
    """The supervisor approves a RestockRequest, or declines it saying why; the requester is told."""
    if restock.status != "pending":
        raise ShiftError(_("这个补货申请已经处理过了。"), status=409)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ShiftError(_("请填写不批准的原因。"))
    if len(reason) > 200:
        raise ShiftError(_("原因不能超过 200 字。"))
    item = session.get(WaterItem, restock.item_id)
    # Decided only if still pending in the database: of two supervisors deciding at once, the second is told.
    if not update_if(session, restock, RestockRequest.status == "pending",
                     status="approved" if approve else "declined", decided_by=actor.id, decided_at=at, reason=reason):
        session.rollback()
        raise ShiftError(_("这个补货申请已经处理过了。"), status=409)
    audit.record(session, actor=actor, action=f"restock.{restock.status}", obj=restock,
                 after={"item": item.name, "reason": reason})
    if restock.requested_by:
        notify(session, user_ids=[restock.requested_by], event=RESTOCK_APPROVED if approve else RESTOCK_DECLINED,
               params={"item": item.name, "reason": reason}, project_id=restock.project_id,
               link=link("shifts.my_shift", project_id=restock.project_id), key=f"restock-decided:{restock.id}")
    session.commit()
    return restock
