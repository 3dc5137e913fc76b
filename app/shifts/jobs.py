"""The shifts clock: a restock request the supervisor has left waiting too long is put to them again, once."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import job, once, unmarked
from app.core.notifications import event, link, notify
from app.shifts.models import RestockRequest, WaterItem

RESTOCK_WAITING = event("shifts.restock_waiting", lambda p: _("补货申请“%(item)s”已等待超过 %(hours)d 小时,请审批。",
                                                              item=p["item"], hours=p["hours"]))


def remind_restock(session: Session, now: datetime, config) -> int:
    """Tell the supervisors once about each restock request still pending RESTOCK_WAIT_HOURS after it was made."""
    hours = int(config["RESTOCK_WAIT_HOURS"])
    waiting = session.exec(select(RestockRequest, WaterItem.name)
                           .join(WaterItem, WaterItem.id == RestockRequest.item_id)
                           .where(RestockRequest.status == "pending",
                                  RestockRequest.requested_at <= now - timedelta(hours=hours),
                                  unmarked("shifts.restock-waiting:", RestockRequest.id))).all()
    for request, item in waiting:
        if once(session, f"shifts.restock-waiting:{request.id}", now):
            notify(session, user_ids=member_ids(session, request.project_id, ("supervisor",)), event=RESTOCK_WAITING,
                   params={"item": item, "hours": hours}, link=link("shifts.board", project_id=request.project_id),
                   project_id=request.project_id, key=f"restock-waiting:{request.id}")
        session.commit()
    return len(waiting)


job("shifts.restock", every=timedelta(minutes=5), run=remind_restock)
