"""Users with their project roles: first passwords shown once; existing people only gain roles."""
from sqlmodel import select

from app.accounts.models import Membership, User
from app.accounts.services import verify_password
from app.core.db import get_session
from app.imports import services
from tests.imports.helpers import xlsx

KIND = services.kind_of("users")
HEADER = ["用户名", "姓名", "手机", "角色"]


def _run(world, rows, apply=False):
    call = services.apply if apply else services.preview
    return call(get_session(), kind=KIND, actor=world.users["admin"], project=world.p1, raw=xlsx([HEADER] + rows),
                filename="staff.xlsx")


def test_new_people_get_accounts_and_roles_and_existing_ones_only_roles(ctx, world):
    rows = [["ZhangSan", "张三", "13800138000", "保安、主管"], ["guard", "不改名", "", "工程维修"]]
    plan = _run(world, rows)
    assert [line.outcome for line in plan.lines] == ["created", "updated"]
    plan, outcome = _run(world, rows, apply=True)
    assert outcome.message == "已导入 2 人,其中新建账号 1 个。"
    [(username, name, password)] = outcome.secrets
    db = get_session()
    user = db.exec(select(User).where(User.username == "zhangsan")).one()
    assert (username, name, user.organisation_id) == ("zhangsan", "张三", world.org_a.id)
    assert verify_password(user, password) and len(password) == 10
    roles = lambda u: set(db.exec(select(Membership.role).where(Membership.user_id == u.id,  # noqa: E731
                                                                Membership.project_id == world.p1.id)))
    assert roles(user) == {"guard", "supervisor"}
    assert roles(world.users["guard"]) == {"guard", "engineer"}
    assert db.get(User, world.users["guard"].id).display_name == world.users["guard"].display_name


def test_bad_rows_are_named_and_another_company_s_username_is_refused(ctx, world):
    plan = _run(world, [["other_admin", "冒名", "", "保安"], ["li si", "李四", "", "保安"],
                        ["wangwu", "王五", "123", "保安"], ["zhaoliu", "赵六", "", "厨师"], ["zhaoliu", "赵六", "", ""]])
    assert [line.reason for line in plan.refused] == [
        "第 2 行 A 列:用户名 other_admin 已被使用", "第 3 行 A 列:用户名须为 2-40 位小写字母、数字或 _ . -,以字母或数字开头",
        "第 4 行 C 列:手机号格式不对", "第 5 行 D 列:不认识的角色“厨师”", "第 6 行 D 列:角色不能为空"]
