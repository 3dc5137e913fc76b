"""Users with their roles in the project: new accounts get a first password shown once to the admin who imported
them; an existing account of the organisation is given the roles it lacks (its name and password are left alone)."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts import roster
from app.accounts.models import PROJECT_ROLES
from app.accounts.services import USERNAME_RE
from app.core.i18n import ROLE_LABELS
from app.imports import base
from app.imports.base import CellError, Column, Kind, Outcome, Plan

ROLE_WORDS = {"保安": "guard", "秩序维护员": "guard", "服务员": "attendant", "案场服务员": "attendant",
              "保洁": "attendant", "工程": "engineer", "维修": "engineer", "工程维修": "engineer",
              "检查员": "inspector", "品质检查员": "inspector", "主管": "supervisor", "项目经理": "supervisor",
              "前台": "frontdesk", "客服": "frontdesk", "前台/客服": "frontdesk", **{r: r for r in PROJECT_ROLES}}
SPLIT = re.compile(r"[、,,;;/ ]+")
COLUMNS = (
    Column("username", "用户名", _l("登录用的名字:2-40 位小写字母、数字或 _ . -;已有的用户只加角色。"), "zhangsan", True,
           ("账号", "登录名", "username"), 14),
    Column("display_name", "姓名", _l("显示的姓名,最多 60 字。"), "张三", True, ("名字", "name"), 12),
    Column("phone", "手机", _l("可空;5-20 位数字。"), "13800138000", aliases=("电话", "手机号", "phone"), width=14),
    Column("roles", "角色", _l("本项目的角色,多个用“、”隔开:秩序维护员(保安)、案场服务员、工程维修、品质检查员、主管、前台/客服。"),
           "秩序维护员", True, ("岗位", "roles", "role"), 22),
)


class People(Kind):
    name, sheet, columns, roles = "users", "人员", COLUMNS, ()
    label = _l("人员和项目角色")

    def plan(self, session, *, actor, project, table, options):
        plan = Plan(self.name)
        found = base.match_columns(table, self.columns, plan)
        cells_list = list(base.each_row(table, found, self.columns))
        existing = roster.users_named(session, [c.raw("username").lower() for c in cells_list])
        held = roster.roles_held(session, project.id, [u.id for u in existing.values()])
        seen, people = {}, []
        for cells in cells_list:
            try:
                person = self._person(cells)
                user = existing.get(person["username"])
                if user is not None and user.organisation_id != project.organisation_id:
                    cells.fail("username", _("用户名 %(u)s 已被使用", u=person["username"]))
                cells.once("username", person["username"], seen)
            except CellError as exc:
                plan.add(cells.line, base.REFUSED, cells.raw("username"), exc.message)
                continue
            seen[person["username"]] = cells.line
            roles = "、".join(str(ROLE_LABELS[r]) for r in person["roles"])
            label = f"{person['username']} · {person['display_name']} · {roles}"
            if user is None:
                plan.add(cells.line, base.CREATED, label)
            else:
                new = set(person["roles"]) - held.get(user.id, set())
                plan.add(cells.line, base.UPDATED if new else base.UNCHANGED, label)
            people.append(person)
        plan.data = people
        return plan

    def _person(self, cells) -> dict:
        username = cells.text("username", 40, required=True).lower()
        if not USERNAME_RE.match(username):
            cells.fail("username", _("用户名须为 2-40 位小写字母、数字或 _ . -,以字母或数字开头"))
        phone = cells.text("phone", 20)
        if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
            cells.fail("phone", _("手机号格式不对"))
        words = [w for w in SPLIT.split(cells.text("roles", 200, required=True)) if w]
        unknown = [w for w in words if w.lower() not in ROLE_WORDS]
        if unknown:
            cells.fail("roles", _("不认识的角色“%(role)s”", role=unknown[0]))
        roles = list(dict.fromkeys(ROLE_WORDS[w.lower()] for w in words))
        return {"username": username, "display_name": cells.text("display_name", 60, required=True),
                "phone": phone, "roles": roles}

    def apply(self, session, *, actor, project, plan):
        created = roster.enrol(session, actor=actor, project=project, people=plan.data)
        return Outcome(_("已导入 %(n)d 人,其中新建账号 %(m)d 个。", n=len(plan.data), m=len(created)), secrets=created)


base.register(People())
