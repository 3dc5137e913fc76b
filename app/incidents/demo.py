"""Demo data: a few incidents (特殊事件) in each demo project, one still open and severe, one closed."""
from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from app.accounts.services import user_named
from app.core.db import local, utcnow
from app.incidents import services
from app.incidents.models import Incident
from app.projects.services import checkpoints_of

# project, reporter, hours ago, kind, severity, checkpoint, location, description, people, action, closed by / note
INCIDENTS = [
    ("江城壹号销售中心", "guard1", 20, "stranger", "serious", "车场入口岗亭", "车场东北角",
     "02:10 夜巡发现一名男子在车场徘徊,自称找朋友,说不出楼号。", "男,约 40 岁,黑色外套,步行",
     "礼貌盘查并陪同离开,已通知监控岗留意车场摄像头。", None),
    ("江城壹号销售中心", "attendant1", 52, "gift", "minor", "接待台", "",
     "客户王先生赠送茶叶一盒,婉拒不下,暂时收下。", "王先生,138****6021", "已登记,交主管统一处理。",
     ("supervisor1", "茶叶已上缴公司行政部登记。")),
    ("滨江花园", "guard1", 6, "flooding", "critical", "车库 B1 消防泵房", "泵房门口",
     "消防泵房门口地面积水约 3 厘米,水从墙角渗出。", "", "已关闭进水阀,摆放警示牌,通知工程。", None),
    ("滨江花园", "guard1", 30, "fall", "minor", "中心花园", "花园南侧台阶",
     "一名老人在台阶滑倒,手掌擦伤,无其他不适。", "1 栋 302 李阿姨", "扶起休息,用药箱处理擦伤;台阶有青苔,已报保洁。",
     ("supervisor1", "已回访,李阿姨无碍;台阶青苔已清理。")),
]


def seed(session: Session, projects: dict) -> None:
    """Add the demo incidents a project lacks (told apart by their description); twice changes nothing."""
    tz, now = current_app.config["TIMEZONE"], utcnow()
    for name, reporter, hours, kind, severity, point, location, description, people, action, closing in INCIDENTS:
        project, user = projects[name], user_named(session, reporter)
        if session.exec(select(Incident.id).where(Incident.project_id == project.id,
                                                  Incident.description == description)).first():
            continue
        place = next((f"checkpoint-{c.id}" for c, _a in checkpoints_of(session, project) if c.name == point), "")
        at = now - timedelta(hours=hours)
        incident = services.report(session, storage=None, actor=user, project=project, tz=tz, reported_at=at,
                                   data={"kind": kind, "severity": severity, "place": place, "location": location,
                                         "occurred_at": local(at - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
                                         "description": description, "people": people, "action_taken": action})
        if closing:
            services.act(session, storage=None, actor=user_named(session, closing[0]), incident=incident,
                         action="close", now=at + timedelta(hours=2), text=closing[1])
        session.commit()
