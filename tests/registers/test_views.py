"""The register pages: who sees which post's registers, the forms without JavaScript, the outbox kinds exactly once,
the home card and the attention list, the monthly export."""
import csv
import io
import json
import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from app.core import attention
from app.core.db import utcnow
from app.registers.models import Found, Gift, KeyLoan, Visit
from tests.html import alert, soup, text
from tests.registers.helpers import FOUND, SIGNATURE, VISIT, post, wall
from tests.xlsx import table, workbook


def _page(world, register="visitors", key="p1"):
    return f"/posts/{world.shifts[key].post.id}/registers/{register}"


def _form(client, world, register, kind, files=None, **data):
    fields = {"kind": kind, "post_id": world.shifts["p1"].post.id, **data}
    if files:
        fields.update(files)
    return client.post_form(_page(world, register), fields, content_type="multipart/form-data")


@pytest.mark.parametrize("register, kinds", [
    ("visitors", {"register_visit"}), ("lost", {"register_found"}), ("gifts", {"register_gift"}),
    ("keys", {"register_key_lend"})])
def test_each_register_page_offers_its_form_to_the_outbox_with_the_servers_rules(login_as, world, register, kinds):
    page = soup(login_as("guard").get(_page(world, register)))
    forms = {f["data-outbox-kind"]: f for f in page.select("form[data-outbox-kind]")}
    assert kinds <= set(forms)
    form = forms[next(iter(kinds))]
    rules = json.loads(form.select_one("script.register-rules").string)
    assert rules["needs"] and form.select_one("input[name=post_id]")["value"] == str(world.shifts["p1"].post.id)
    assert page.select_one("nav.register-tabs a[aria-current=page]").get_text(strip=True)


@pytest.mark.parametrize("who", ["guard", "attendant", "frontdesk", "supervisor", "admin"])
def test_the_posts_keepers_and_supervisors_open_its_registers(login_as, world, who):
    client = login_as(who)
    assert client.get(_page(world, "keys")).status_code == 200
    assert client.get(f"/projects/{world.p1.id}/registers").status_code == 200


def test_another_projects_register_is_a_404_and_a_role_without_registers_a_403(login_as, world):
    guard = login_as("guard")
    for register in ("visitors", "lost", "gifts", "keys"):
        assert guard.get(_page(world, register, "p2")).status_code == 404
    assert guard.get(f"/projects/{world.p2.id}/registers").status_code == 404
    assert guard.get("/posts/999999/registers/keys").status_code == 404
    assert guard.get(f"/posts/{world.shifts['p1'].post.id}/registers/parcels").status_code == 404
    assert login_as("engineer").get(_page(world, "visitors")).status_code == 403


def test_without_javascript_a_guard_registers_a_visitor_and_signs_him_out(login_as, world, db):
    guard = login_as("guard")
    made = _form(guard, world, "visitors", "register_visit", **VISIT)
    assert made.status_code == 302 and made.headers["Location"].endswith(_page(world))
    visit = db.exec(select(Visit)).one()
    page = guard.get(_page(world))
    assert text(page, "#visitors-in li strong") == ["陈先生"]
    assert "420***********1234" in text(page, "#visitors-in li")[0]  # masked on the page
    assert "420106199001011234" not in page.get_data(as_text=True)
    assert _form(guard, world, "visitors", "register_visit_out", visit_id=visit.id).status_code == 302
    db.expire_all()
    assert db.get(Visit, visit.id).out_at is not None
    assert text(guard.get(_page(world)), "#visitors-in li") == ["现在没有在场的访客。"]


def test_a_visitor_out_before_in_is_refused_with_422_and_nothing_saved(login_as, world, db):
    now = utcnow()
    refused = _form(login_as("guard"), world, "visitors", "register_visit", **VISIT, in_at=wall(now - timedelta(hours=1)),
                    out_at=wall(now - timedelta(hours=2)))
    assert refused.status_code == 422 and alert(refused) == "离开时间不能早于进入时间。"
    assert soup(refused).select_one("#register_visit-visitor_name")["value"] == "陈先生"  # nothing typed is lost
    assert db.exec(select(Visit)).all() == []


def test_a_kind_of_another_register_is_a_400(login_as, world):
    assert _form(login_as("guard"), world, "visitors", "register_gift", giver="x").status_code == 400


def test_a_lost_item_returned_without_a_signature_is_refused_and_stays_kept(login_as, world, db):
    guard = login_as("guard")
    _form(guard, world, "lost", "register_found", **FOUND)
    item = db.exec(select(Found)).one()
    refused = _form(guard, world, "lost", "register_found_return", found_id=item.id, receiver_name="黄女士",
                    receiver_phone="13800138000")
    assert refused.status_code == 422 and alert(refused) == "缺少领取人的签名。"
    signed = _form(guard, world, "lost", "register_found_return", found_id=item.id, receiver_name="黄女士",
                   receiver_phone="13800138000", files={"sign-receiver": (io.BytesIO(SIGNATURE), "sign.png")})
    assert signed.status_code == 302
    page = guard.get(_page(world, "lost"))
    assert text(page, "#lost-kept li") == ["没有待认领的物品。"]
    assert soup(page).select_one("#register-month img.signature-image")["alt"] == "黄女士签名"


def test_an_item_handed_to_the_police_shows_the_station_on_the_month_and_in_the_export(login_as, world, db):
    guard = login_as("guard")
    _form(guard, world, "lost", "register_found", **FOUND)
    item = db.exec(select(Found)).one()
    form = soup(guard.get(_page(world, "lost"))).select_one(f"form#police-{item.id}")
    assert form.select_one('input[name="returned_to"]')["value"] == "police"
    handed = _form(guard, world, "lost", "register_found_return", found_id=item.id, returned_to="police",
                   police_station="民意派出所", receiver_name="刘警官", receiver_phone="027-85551234",
                   files={"sign-receiver": (io.BytesIO(SIGNATURE), "sign.png")})
    assert handed.status_code == 302
    page = guard.get(_page(world, "lost"))
    assert text(page, "#lost-kept li") == ["没有待认领的物品。"]
    assert "上交 民意派出所,接收民警 刘警官" in soup(page).select_one("#register-month").get_text()


def test_an_outbox_record_counts_once_however_often_it_comes(login_as, world, db):
    guard, client_id = login_as("guard"), str(uuid.uuid4())
    record = {"kind": "register_key_lend", "project_id": world.p1.id, "client_time": utcnow().isoformat(),
              "data": {"post_id": str(world.shifts["p1"].post.id), "key_name": "配电房钥匙", "borrower": "赵工程",
                       "due_at": wall(utcnow() + timedelta(hours=2))}}
    first = post(guard, record, client_id=client_id)
    again = post(guard, record, client_id=client_id)
    assert (first.status_code, again.status_code) == (201, 200) and first.json == again.json
    assert len(db.exec(select(KeyLoan)).all()) == 1
    assert first.json["url"] == _page(world, "keys")


def test_an_outbox_record_for_another_projects_post_is_refused(login_as, world, db):
    record = {"kind": "register_visit", "project_id": world.p1.id, "client_time": utcnow().isoformat(),
              "data": {**VISIT, "post_id": str(world.shifts["p2"].post.id)}}
    refused = post(login_as("guard"), record)
    assert refused.status_code == 422 and refused.json["error"]["fields"] == {"post_id": "请选择岗位"}
    assert db.exec(select(Visit)).all() == []


def _lend(login_as, world, due):
    record = {"kind": "register_key_lend", "project_id": world.p1.id,
              "client_time": (utcnow() - timedelta(hours=3)).isoformat(),
              "data": {"post_id": str(world.shifts["p1"].post.id), "key_name": "配电房钥匙", "borrower": "赵工程",
                       "due_at": wall(due)}}
    assert post(login_as("guard"), record).status_code == 201


def test_an_overdue_key_is_red_on_the_post_on_the_home_card_and_in_the_supervisors_attention(app, login_as, world):
    _lend(login_as, world, utcnow() - timedelta(hours=1))
    page = login_as("guard").get(_page(world, "keys"))
    assert text(page, "#keys-out li.urgent .urgent-mark") == ["已逾期"]
    assert "1 把钥匙逾期未还" in text(login_as("guard").get("/"), "body")[0]
    with app.test_request_context():
        from app.core.db import get_session

        items = [i for i in attention.collect(get_session(), [world.p1.id, world.p2.id], utcnow())
                 if i.key.startswith("registers.")]
    assert [(i.title, i.place, i.holder, i.urgency) for i in items] == [
        ("钥匙逾期未还:配电房钥匙", world.shifts["p1"].post.name, "赵工程", attention.HIGH)]


def test_the_monthly_export_lists_every_post_of_the_project_masked(login_as, world, db):
    guard = login_as("guard")
    _form(guard, world, "visitors", "register_visit", **VISIT)
    _form(guard, world, "gifts", "register_gift", giver="客户周先生", item="=HYPERLINK(\"x\")", handed_to="孙主管")
    month = utcnow().strftime("%Y-%m")
    supervisor = login_as("supervisor")
    visits = supervisor.get(f"/projects/{world.p1.id}/registers/visitors/export.csv?month={month}")
    assert visits.status_code == 200 and visits.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(visits.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["岗位", "来访人", "证件号", "联系电话"]
    assert rows[1][:3] == [world.shifts["p1"].post.name, "陈先生", "420***********1234"]
    gifts = supervisor.get(f"/projects/{world.p1.id}/registers/gifts/export.csv?month={month}").get_data(as_text=True)
    assert "'=HYPERLINK" in gifts  # a formula typed in is text in Excel
    assert len(db.exec(select(Gift)).all()) == 1
    assert guard.get(f"/projects/{world.p1.id}/registers/visitors/export.csv").status_code == 403
    assert supervisor.get(f"/projects/{world.p1.id}/registers/visitors/export.csv?month=2026-13").status_code == 400


def test_the_monthly_workbook_has_the_same_rows_with_times_as_date_times(login_as, world):
    _form(login_as("guard"), world, "visitors", "register_visit", **VISIT)
    supervisor = login_as("supervisor")
    url = f"/projects/{world.p1.id}/registers/visitors/export"
    month = utcnow().strftime("%Y-%m")
    csv_rows = list(csv.reader(io.StringIO(supervisor.get(f"{url}.csv?month={month}").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    [row] = table(workbook(supervisor.get(f"{url}.xlsx?month={month}")).worksheets[0])
    assert list(row)[:4] == csv_rows[0][:4] and list(row.values())[:3] == csv_rows[1][:3]
    moments = [v for v in row.values() if isinstance(v, datetime)]
    assert moments and f"{moments[0]:%Y-%m-%d %H:%M}" in csv_rows[1]  # the same wall-clock time, typed
    assert login_as("guard").get(f"{url}.xlsx").status_code == 403


def test_the_offline_pages_hold_every_posts_registers(login_as, world):
    pages = login_as("guard").get("/api/v1/offline-pages").json["pages"]
    assert {_page(world, r) for r in ("visitors", "lost", "gifts", "keys")} <= set(pages)
    assert _page(world, "keys", "p2") not in pages
