"""The company's users and their project roles as a workbook, for the admin who keeps the roster in Excel."""
from tests.html import soup
from tests.xlsx import table, workbook


def test_the_admin_gets_every_user_of_the_company_and_every_role_they_hold(login_as, world):
    client = login_as("admin")
    book = workbook(client.get("/admin/users.xlsx"))
    assert book.sheetnames == ["用户", "项目角色"]
    users = {r["用户名"]: r for r in table(book["用户"])}
    assert "other_admin" not in users  # another company's
    assert users["admin"]["公司管理员"] == "是" and users["guard"]["公司管理员"] is None
    assert users["guard"]["姓名"] == "guard的名字" and users["guard"]["状态"] == "启用" and users["guard"]["项目数"] == 1
    assert users["outsider"]["项目数"] == 1 and users["guard"]["创建时间"].year >= 2026
    roles = {(r["用户名"], r["项目"], r["角色"]) for r in table(book["项目角色"])}
    assert ("guard", world.p1.name, "秩序维护员") in roles and ("supervisor", world.p1.name, "主管") in roles
    assert {("outsider", world.p2.name, "秩序维护员"), ("outsider", world.p2.name, "主管")} <= roles
    assert "/admin/users.xlsx" in [a["href"] for a in soup(client.get("/admin/users")).select("a")]


def test_only_a_company_admin_exports_the_users(login_as):
    assert login_as("supervisor").get("/admin/users.xlsx").status_code == 403
    other = {r["用户名"] for r in table(workbook(login_as("other_admin").get("/admin/users.xlsx"))["用户"])}
    assert other == {"other_admin"}
