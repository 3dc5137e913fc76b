"""The admin's user screens: create, edit, reset password, memberships, deactivate; every change audited."""
from sqlmodel import select

from app.accounts.models import Membership, User
from app.core.audit import AuditLog
from tests.html import alert, soup, text


def _user(db, username):
    db.expire_all()
    return db.exec(select(User).where(User.username == username)).first()


def test_admin_creates_a_user_who_can_then_log_in(app, login_as, db, world):
    admin = login_as("admin")
    response = admin.post_form("/admin/users/new", {"username": "Guard7", "display_name": "周保安", "phone": "13800000000",
                                                    "password": "first-pass-1", "locale": "zh_Hant"})
    user = _user(db, "guard7")  # usernames are kept lower-case
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.display_name, user.locale, user.is_admin) == ("周保安", "zh_Hant", False)
    assert app.test_client().login("guard7", "first-pass-1").status_code == 302
    entry = db.exec(select(AuditLog).where(AuditLog.action == "user.create")).one()
    assert entry.actor_id == world.users["admin"].id and entry.after["username"] == "guard7"


def test_user_creation_refusals_keep_what_was_typed(login_as, db, world):
    admin = login_as("admin")
    cases = [
        ({"username": "guard", "display_name": "重复", "password": "long-enough-1"}, "用户名 guard 已被使用。"),
        ({"username": "x y", "display_name": "空格", "password": "long-enough-1"}, "用户名须为"),
        ({"username": "newbie", "display_name": "", "password": "long-enough-1"}, "请填写姓名"),
        ({"username": "newbie", "display_name": "新人", "password": "short"}, "密码至少需要 8 位。"),
        ({"username": "newbie", "display_name": "新人", "password": "long-enough-1", "phone": "abc"}, "手机号格式不对。"),
    ]
    for form, message in cases:
        response = admin.post_form("/admin/users/new", form)
        assert response.status_code == 400 and message in alert(response)
        assert soup(response).select_one("#display_name")["value"] == form["display_name"]
    assert _user(db, "newbie") is None


def test_admin_resets_a_password_and_the_user_is_logged_out(app, login_as, world):
    guard, admin = login_as("guard"), login_as("admin")
    user_id = world.users["guard"].id
    assert admin.post_form(f"/admin/users/{user_id}/password", {"password": "reset-pass-9"}).status_code == 302
    assert guard.get("/").status_code == 302
    assert app.test_client().login("guard", "reset-pass-9").status_code == 302


def test_admin_deactivates_a_user_who_is_logged_out_at_once(login_as, db, world):
    guard, admin = login_as("guard"), login_as("admin")
    user_id = world.users["guard"].id
    admin.post_form(f"/admin/users/{user_id}/active", {"active": "0"})
    assert _user(db, "guard").active is False
    assert guard.get("/").status_code == 302
    admin.post_form(f"/admin/users/{user_id}/active", {"active": "1"})
    assert _user(db, "guard").active is True


def test_admin_cannot_deactivate_themselves(login_as, db, world):
    admin = login_as("admin")
    response = admin.post_form(f"/admin/users/{world.users['admin'].id}/active", {"active": "0"})
    assert response.status_code == 400 and alert(response) == "不能停用自己的账号。"
    assert _user(db, "admin").active is True


def test_memberships_are_added_and_removed_in_place_with_htmx(login_as, db, world):
    admin = login_as("admin")
    user_id = world.users["guard"].id
    response = admin.post_form(f"/admin/users/{user_id}/memberships", {"project_id": world.p2.id, "role": "engineer"},
                               htmx=True)
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("section")["id"] == "memberships"  # only the fragment, ready to swap
    assert any("秘密二号项目" in row and "工程维修" in row for row in text(response, "#memberships li"))
    membership = db.exec(select(Membership).where(Membership.user_id == user_id, Membership.role == "engineer")).one()

    response = admin.post_form(f"/admin/users/{user_id}/memberships/{membership.id}/delete", htmx=True)
    assert response.status_code == 200
    assert not any("工程维修" in row for row in text(response, "#memberships li"))
    actions = db.exec(select(AuditLog.action).where(AuditLog.object_type == "membership").order_by(AuditLog.id)).all()
    assert actions == ["membership.add", "membership.remove"]


def test_the_same_role_twice_is_refused(login_as, world):
    admin = login_as("admin")
    response = admin.post_form(f"/admin/users/{world.users['guard'].id}/memberships",
                               {"project_id": world.p1.id, "role": "guard"}, htmx=True)
    assert response.status_code == 400 and "已有这个角色" in alert(response)


def test_an_unknown_role_is_refused(login_as, db, world):
    admin = login_as("admin")
    response = admin.post_form(f"/admin/users/{world.users['guard'].id}/memberships",
                               {"project_id": world.p1.id, "role": "king"})
    assert response.status_code == 400 and alert(response) == "未知角色。"


def test_user_search_filters_as_one_types(login_as, world):
    admin = login_as("admin")
    response = admin.get("/admin/users?q=super", headers={"HX-Request": "true"})
    assert soup(response).select_one("ul")["id"] == "user-rows"
    assert [t.split()[0] for t in text(response, "#user-rows li")] == ["supervisor的名字"]


def test_admins_see_only_their_own_company(login_as, world):
    response = login_as("other_admin").get("/admin/users")
    names = " ".join(text(response, "#user-rows li"))
    assert "other_admin" in names and "guard" not in names


def test_non_admins_cannot_reach_user_screens(login_as):
    assert login_as("supervisor").get("/admin/users").status_code == 403
