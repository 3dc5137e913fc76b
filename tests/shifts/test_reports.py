"""The daily shift report (page, PDF, CSV) and the water bar's month (page with its chart, CSV)."""
import csv
import io

import pytest
from pypdf import PdfReader

from tests import factories, images
from tests.html import soup, text
from tests.shifts.helpers import DAY


def _a_day(app, world, db):
    """A shift logged through the pages today: two visitors, an event with a photo, a matter, water used and counted."""
    factories.user(db, world.org_a, "li", roles=[(world.p1, "attendant")])
    client = app.test_client()
    client.login("li")
    objects, url = world.shifts["p1"], f"/projects/{world.p1.id}/my-shift"
    for kind, data in (("shift_clock_in", {"post_id": objects.post.id, "pattern_id": objects.pattern.id}),
                       ("shift_visitors", {"count": "2"}),
                       ("shift_event", {"text": "客户询问车位价格", "photo": (io.BytesIO(images.image()), "e.jpg")}),
                       ("shift_matter", {"text": "明早九点有团购客户看房"}),
                       ("water_usage", {f"used-{objects.item.id}": "2", f"restocked-{objects.item.id}": "12"}),
                       ("water_count", {f"count-{objects.item.id}": "14"})):
        response = client.post_form(url, {"kind": kind, **data}, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.usefixtures("handover_world")
def test_the_daily_pdf_names_posts_people_events_matters_and_water(app, world, db, login_as):
    _a_day(app, world, db)
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts/daily.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).replace("\n", "")
    for words in ("值班日报", world.shifts["p1"].post.name, "li的名字", "客户询问车位价格", "明早九点有团购客户看房",
                  world.shifts["p1"].item.name, "短缺 1"):  # 5 − 2 + 12 = 15 on the book, 14 counted
        assert words in content, words
    # the sample rooms' day too: the world's handover and closing check of P1, made today
    for words in (world.rooms["p1"].name, "交接班清点", "attendant的名字 → attendant_b的名字", "收场检查"):
        assert words in content, words


def test_the_daily_page_shows_the_same_report_and_the_event_photo(app, world, db, login_as):
    _a_day(app, world, db)
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts/daily")
    assert page.status_code == 200
    rows = [[c.get_text(strip=True) for c in tr.select("td")]
            for tr in soup(page).select(".daily-report .rows tbody tr")]
    mine = next(r for r in rows if r[2] == "li的名字")  # the world's own shift may fall on this day too
    assert mine[:2] == [world.shifts["p1"].post.name, "早班"] and mine[4:] == ["在岗", "2"]
    assert len(soup(page).select(".daily-report .photo-grid img")) == 1


def test_the_daily_csv_opens_in_excel(app, world, db, login_as):
    _a_day(app, world, db)
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts/daily.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff") and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["岗位", "班次", "人员", "上班", "下班", "接待人数"]
    mine = next(r for r in rows if r[2:3] == ["li的名字"])
    assert mine[4:] == ["", "2"]
    water = next(r for r in rows if r and r[0] == world.shifts["p1"].item.name)
    assert water[2:] == ["5", "2", "12", "15", "14", "1"]


def test_a_bad_day_is_a_clear_400(world, login_as):
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts/daily?day=昨天")
    assert response.status_code == 400 and "无法识别日期" in response.get_data(as_text=True)


def test_the_month_has_a_bar_per_item_and_a_csv(app, world, db, login_as):
    _a_day(app, world, db)
    client = login_as("supervisor")
    page = client.get(f"/projects/{world.p1.id}/water/month")
    assert len(soup(page).select("svg.water-chart rect")) == 1
    assert text(page, "#water-month tbody td")[:3] == [f"{world.shifts['p1'].item.name}(瓶)", "2", "12"]
    body = client.get(f"/projects/{world.p1.id}/water/month.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[1] == [world.shifts["p1"].item.name, "瓶", "2", "12", "1", "1"]
    assert client.get(f"/projects/{world.p1.id}/water/month?month=2026-13").status_code == 400
    old = client.get(f"/projects/{world.p1.id}/water/month?month={DAY:%Y-%m}")
    assert old.status_code == 200
