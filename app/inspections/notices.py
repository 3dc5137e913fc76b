"""The inspections' notification events: what the bell says about results, objections and rectification."""
from flask_babel import gettext as _

from app.core.notifications import event

# params: project (name), scores ([[sheet name, points], …]), deadline ("MM-DD HH:MM", local time)
RESULT = event("inspections.result", lambda p: _(
    "%(project)s 检查结果(暂定):%(scores)s。如有异议,请在 %(deadline)s 前提出。", project=p["project"],
    scores=",".join(f"{name} {points}" for name, points in p["scores"]), deadline=p["deadline"]))
OBJECTION_RAISED = event("inspections.objection_raised", lambda p: _("对扣分项“%(label)s”的异议待处理。", **p))
OBJECTION_DECIDED = event("inspections.objection_decided", lambda p: _(
    "您对“%(label)s”的异议%(verdict)s。", label=p["label"],
    verdict=_("已采纳,分数已恢复") if p["accepted"] else _("未采纳")))
TICKET_CAUSE_WITHDRAWN = event("inspections.ticket_cause_withdrawn", lambda p: _(
    "扣分“%(label)s”已撤销,由它生成的报修单 %(number)s 如已不需要,请取消。", **p))
RECTIFICATION_REOPENED = event("inspections.rectification_reopened",
                               lambda p: _("整改“%(label)s”未通过验证,请重新整改。", **p))
RECTIFICATION_OVERDUE = event("inspections.rectification_overdue", lambda p: _("整改项“%(label)s”已逾期", **p))
