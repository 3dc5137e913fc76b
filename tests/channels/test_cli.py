"""`flask channels add | list | test | deliver`."""
from sqlmodel import select

from app.channels.models import Channel, Delivery

SECRET = "SEC" + "0a1b2c3d4e5f" * 5


def test_add_list_test_and_deliver_from_the_command_line(app, world, db, robot, monkeypatch):
    monkeypatch.setitem(app.config, "CHANNEL_HOSTS", ["127.0.0.1"])  # the local receiver
    receiver = robot("dingtalk", secret=SECRET)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["channels", "add", "--project", str(world.p1.id), "--kind", "dingtalk",
                                 "--target", receiver.url, "--secret", SECRET, "--events", "repairs",
                                 "--events", "patrols.missed", "--digest-hour", "8"])
    assert result.exit_code == 0, result.output
    channel = db.exec(select(Channel)).one()
    assert (channel.events, channel.digest_hour, channel.secret) == (["patrols.missed", "repairs"], 8, SECRET)
    listing = runner.invoke(args=["channels", "list"]).output
    assert "dingtalk" in listing and "SEC…4e5f" in listing and SECRET not in listing and "abcdef0123" not in listing
    result = runner.invoke(args=["channels", "test", str(channel.id)])
    assert result.exit_code == 0 and result.output.startswith("sent: ") and len(receiver.received) == 1
    assert runner.invoke(args=["channels", "deliver"]).output.strip() == "sent 0, retry 0, failed 0"


def test_bad_input_is_refused_on_the_command_line(app, world, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["channels", "add", "--project", str(world.p1.id), "--kind", "wecom",
                                 "--target", "file:///etc/passwd"])
    assert result.exit_code != 0 and "http://" in result.output
    result = runner.invoke(args=["channels", "add", "--project", "999999", "--kind", "wecom",
                                 "--target", "https://example.com/hook"])
    assert result.exit_code != 0 and "No project 999999" in result.output
    assert runner.invoke(args=["channels", "test", "999999"]).exit_code != 0
    result = runner.invoke(args=["channels", "add", "--project", str(world.p1.id), "--kind", "wecom",
                                 "--target", "http://127.0.0.1:8080/internal"])
    assert result.exit_code != 0 and "CHANNEL_HOSTS" in result.output
    assert db.exec(select(Channel)).all() == [] and db.exec(select(Delivery)).all() == []


def test_a_failed_test_exits_with_the_platforms_answer(app, world, db, robot, monkeypatch):
    monkeypatch.setitem(app.config, "CHANNEL_HOSTS", ["127.0.0.1"])
    receiver = robot("wecom", fail_times=1)
    runner = app.test_cli_runner()
    runner.invoke(args=["channels", "add", "--project", str(world.p1.id), "--kind", "wecom", "--target", receiver.url])
    result = runner.invoke(args=["channels", "test", str(db.exec(select(Channel.id)).one())])
    assert result.exit_code == 1 and "HTTP 500" in result.output
