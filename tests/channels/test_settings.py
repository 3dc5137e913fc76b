"""The channels settings page: supervisors of the project and admins; secrets stored, never shown back whole."""
from sqlmodel import select

from app.channels.models import Channel, Delivery
from tests import factories
from tests.html import soup, text

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING = "https://oapi.dingtalk.com/robot/send?access_token=98975521a1b23c02cdd1a9a08c69511ddf5fa9d2ae387813d1c5348fb"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd"
DING_SECRET = "SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8ba18acf56103ee"


def channels(db) -> list[Channel]:
    db.expire_all()
    return db.exec(select(Channel).order_by(Channel.id)).all()


def test_the_project_page_links_its_supervisor_to_the_channels(login_as, world):
    links = soup(login_as("supervisor").get(f"/projects/{world.p1.id}")).select("a[href]")
    assert f"/projects/{world.p1.id}/channels" in [a["href"] for a in links]


def test_only_supervisors_and_admins_reach_the_page(login_as, world):
    assert login_as("supervisor").get(f"/projects/{world.p1.id}/channels").status_code == 200
    assert login_as("admin").get(f"/projects/{world.p1.id}/channels").status_code == 200
    assert login_as("guard").get(f"/projects/{world.p1.id}/channels").status_code == 403
    assert login_as("outsider").get(f"/projects/{world.p1.id}/channels").status_code == 404


def test_a_supervisor_adds_a_signed_dingtalk_robot_and_sees_it_masked(login_as, world, db):
    client = login_as("supervisor")
    response = client.post_form(f"/projects/{world.p1.id}/channels", {
        "kind": "dingtalk", "name": "主管群", "target": DING, "secret": DING_SECRET, "events": ["repairs", "patrols"],
        "locale": "zh_Hant", "digest_hour": "8"})
    assert response.status_code == 302
    [channel] = channels(db)
    assert (channel.target, channel.secret, channel.events, channel.locale, channel.digest_hour) == (
        DING, DING_SECRET, ["patrols", "repairs"], "zh_Hant", 8)
    response = client.get(f"/projects/{world.p1.id}/channels")
    page = response.get_data(as_text=True)
    assert "access_token=9897" not in page and DING_SECRET not in page and DING_SECRET[:12] not in page
    row = soup(response).select_one(f"#channel-{channel.id}")
    assert "主管群" in row.get_text() and "https://oapi.dingtalk.com/…48fb" in row.get_text()
    assert "SEC…03ee" in row.get_text() and "还没有发送过" in row.get_text()


def test_bad_input_is_refused_with_the_reason(login_as, world, db):
    client = login_as("supervisor")
    cases = [({"kind": "wecom", "target": "ftp://robot.example.com/x"}, "http:// 或 https://"),
             ({"kind": "wecom", "target": "javascript:alert(1)"}, "http:// 或 https://"),
             ({"kind": "dingtalk", "target": DING, "secret": "not-a-secret"}, "以 SEC 开头"),
             ({"kind": "feishu", "target": FEISHU, "secret": "含中文的密钥"}, "只含字母和数字"),
             ({"kind": "wecom", "target": "http://127.0.0.1:8080/admin"}, "须在 qyapi.weixin.qq.com 上"),
             ({"kind": "dingtalk", "target": ROBOT}, "须在 oapi.dingtalk.com 上"),
             ({"kind": "wecom", "target": ROBOT, "secret": "SECabcdefabcdef"}, "不使用签名密钥"),
             ({"kind": "email", "target": "not an address"}, "电子邮件地址"),
             ({"kind": "wecom", "target": ROBOT, "digest_hour": "25"}, "0 到 23"),
             ({"kind": "sms", "target": ROBOT}, "请选择渠道类型")]
    for form, reason in cases:
        response = client.post_form(f"/projects/{world.p1.id}/channels", form)
        assert response.status_code == 422, form
        assert any(reason in t for t in text(response, ".form-error")), (form, text(response, ".form-error"))
    assert channels(db) == []


def test_editing_keeps_the_target_and_secret_left_blank(login_as, world, db):
    channel = factories.channel(db, world.p1, "dingtalk", DING, secret=DING_SECRET, name="旧名")
    client = login_as("supervisor")
    edit = client.get(f"/channels/{channel.id}/edit").get_data(as_text=True)
    assert DING_SECRET not in edit and "98975521" not in edit
    response = client.post_form(f"/channels/{channel.id}", {"kind": "dingtalk", "name": "新名", "target": "",
                                                            "secret": "", "active": "1"})
    assert response.status_code == 302
    [saved] = channels(db)
    assert (saved.name, saved.target, saved.secret, saved.active) == ("新名", DING, DING_SECRET, True)
    client.post_form(f"/channels/{channel.id}", {"kind": "dingtalk", "clear_secret": "1", "digest_hour": "0"})
    assert (channels(db)[0].secret, channels(db)[0].active, channels(db)[0].digest_hour) == ("", False, 0)


def test_test_queues_a_message_for_the_clock_and_delete_removes_the_channel(login_as, world, db):
    channel = factories.channel(db, world.p1, "wecom", ROBOT)
    client = login_as("supervisor")
    assert client.post_form(f"/channels/{channel.id}/test").status_code == 302
    [queued] = db.exec(select(Delivery)).all()
    assert queued.status == "pending" and "测试消息" in queued.body  # sent by the clock, not by this request
    page = soup(client.get(f"/projects/{world.p1.id}/channels"))
    assert "待发送" in page.select_one(f"#channel-{channel.id} .last-delivery").get_text()
    assert client.post_form(f"/channels/{channel.id}/delete").status_code == 302
    assert channels(db) == [] and db.exec(select(Delivery)).all() == []


def test_a_failed_delivery_shows_the_platforms_answer(login_as, world, db):
    channel = factories.channel(db, world.p1, "dingtalk", DING)
    db.add(Delivery(channel_id=channel.id, alert_key="x", status="failed", attempts=6,
                    answer='{"errcode": 310000, "errmsg": "sign not match"}'))
    db.commit()
    row = soup(login_as("supervisor").get(f"/projects/{world.p1.id}/channels")).select_one(f"#channel-{channel.id}")
    assert "发送失败" in row.get_text() and "sign not match" in row.get_text()


def test_another_projects_supervisor_cannot_touch_a_channel(login_as, world, db):
    channel = factories.channel(db, world.p1, "wecom", ROBOT)
    outsider = login_as("outsider")
    assert outsider.get(f"/channels/{channel.id}/edit").status_code == 404
    assert outsider.post_form(f"/channels/{channel.id}/delete").status_code == 404
    assert login_as("guard").post_form(f"/channels/{channel.id}/delete").status_code == 403
    assert len(channels(db)) == 1


def test_a_host_allowed_by_the_configuration_is_accepted(login_as, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHANNEL_HOSTS", ["wecom.corp.example"])
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/channels", {
        "kind": "wecom", "target": "https://wecom.corp.example/cgi-bin/webhook/send?key=k"})
    assert response.status_code == 302 and len(channels(db)) == 1
