"""The guard's duty page, the supervisor's duty board and hand-over settling, and guard posts in set-up."""
from sqlmodel import select

from app.shifts.models import Attendance, DutyHandover, Post, PostEquipment
from tests.html import alert, soup, text
from tests.shifts.helpers import guard_post, shift_times_now


def test_the_duty_page_offers_guard_posts_only_and_clocks_in_without_javascript(world, db, login_as):
    post, night = guard_post(db, world.p1)
    client = login_as("guard")
    page = soup(client.get(f"/projects/{world.p1.id}/duty"))
    assert [o.get_text() for o in page.select("#post_id option")] == ["大堂岗"]  # not the sales centre's 水吧岗
    response = client.post_form(f"/projects/{world.p1.id}/duty", {
        "kind": "shift_clock_in", "post_id": str(post.id), "pattern_id": str(night.id)})
    assert response.status_code == 302 and response.headers["Location"] == f"/projects/{world.p1.id}/duty"
    db.expire_all()
    shift = db.exec(select(Attendance).where(Attendance.user_id == world.users["guard"].id,
                                             Attendance.ended_at.is_(None))).one()
    assert shift.post_id == post.id
    page = soup(client.get(f"/projects/{world.p1.id}/duty"))
    assert page.select_one(".shift-now strong").get_text() == "在岗:大堂岗 · 夜班"
    assert [i["name"] for i in page.select("#handover-form input[type=number]")] == [
        f"count-{db.exec(select(PostEquipment.id)).one()}"]


def test_only_guards_open_the_duty_page(world, login_as):
    assert login_as("attendant").get(f"/projects/{world.p1.id}/duty").status_code == 403
    assert login_as("outsider").get(f"/projects/{world.p1.id}/duty").status_code == 404


def test_the_duty_board_shows_who_holds_each_post_and_the_round_the_clock_post_left_empty(world, db, login_as):
    lobby, night = guard_post(db, world.p1)
    guard_post(db, world.p1, "监控岗", kind="monitoring", equipment=())
    db.add(Attendance(project_id=world.p1.id, post_id=lobby.id, pattern_id=night.id, user_id=world.users["guard"].id,
                      **shift_times_now()))
    db.commit()
    page = login_as("supervisor").get("/duty")
    rows = {li.select_one("strong").get_text(): li for li in soup(page).select(f"#duty-project-{world.p1.id} li")}
    assert world.users["guard"].display_name in rows["大堂岗"].get_text()
    assert "无人值守" in rows["监控岗"].get_text() and "urgent" in rows["监控岗"]["class"]
    assert f"duty-project-{world.p2.id}" not in page.get_data(as_text=True)  # P2 is not the supervisor's
    assert login_as("guard").get("/duty").location.endswith(f"/projects/{world.p1.id}/duty")  # to their own
    assert login_as("engineer").get("/duty").status_code == 403
    assert f"duty-project-{world.p1.id}" in login_as("admin").get("/duty").get_data(as_text=True)  # the company's


def test_a_supervisor_settles_a_hand_over_difference_once(world, db, login_as):
    lobby, night = guard_post(db, world.p1)
    shift = Attendance(project_id=world.p1.id, post_id=lobby.id, pattern_id=night.id,
                       user_id=world.users["guard"].id, **shift_times_now())
    db.add(shift)
    db.flush()
    handover = DutyHandover(project_id=world.p1.id, post_id=lobby.id, attendance_id=shift.id, status="differs",
                            handed_by=world.users["guard"].id, handed_at=shift.started_at, receive_note="少一台对讲机")
    db.add(handover)
    db.commit()
    board = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts")
    assert "少一台对讲机" in " ".join(text(board, f"#duty-handover-{handover.id} span"))
    assert login_as("guard").post_form(f"/duty/handovers/{handover.id}/settle", {"note": "x"}).status_code == 403
    client = login_as("supervisor")
    done = client.post_form(f"/duty/handovers/{handover.id}/settle", {"note": "在车场岗找到"})
    assert done.status_code == 302
    db.expire_all()
    assert (db.get(DutyHandover, handover.id).status, db.get(DutyHandover, handover.id).settle_note) == (
        "settled", "在车场岗找到")
    again = client.post_form(f"/duty/handovers/{handover.id}/settle", {"note": "再处理"})
    assert again.status_code == 409


def test_set_up_adds_a_guard_post_with_its_equipment_and_refuses_unclear_lines_saving_nothing(world, db, login_as):
    client = login_as("supervisor")
    bad = client.post_form(f"/projects/{world.p1.id}/posts", {
        "name": "车场岗", "kind": "car_park", "always_manned": ["0"], "equipment": "对讲机 2\n对讲机 1"})
    assert bad.status_code == 422 and alert(bad) == "配备物品的名称有重复,请合并成一行。"
    assert db.exec(select(Post).where(Post.name == "车场岗")).first() is None
    good = client.post_form(f"/projects/{world.p1.id}/posts", {
        "name": "车场岗", "kind": "car_park", "always_manned": ["0", "1"], "equipment": "对讲机 2\n道闸遥控器"})
    assert good.status_code == 302
    post = db.exec(select(Post).where(Post.name == "车场岗")).one()
    assert (post.kind, post.always_manned) == ("car_park", True)
    assert db.exec(select(PostEquipment.name, PostEquipment.count).where(PostEquipment.post_id == post.id)
                   .order_by(PostEquipment.position)).all() == [("对讲机", 2), ("道闸遥控器", 1)]


def test_a_guard_sees_his_duty_on_the_home_page(world, db, login_as):
    guard_post(db, world.p1)
    links = {a.get_text(strip=True): a["href"] for a in soup(login_as("guard").get("/")).select("li a")}
    assert links["我的值班"] == f"/projects/{world.p1.id}/duty"
