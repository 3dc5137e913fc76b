"""The daily complaint report (客户投诉信息日报表) against numbers worked out by hand; its page, PDF and CSV; the
monthly front-desk report."""
import csv
import io

from pypdf import PdfReader

from app.complaints import reports
from app.core.db import get_session
from tests.complaints.helpers import DAY
from tests.html import soup, text


def test_the_days_figures_are_the_hand_computed_ones(app, tenth):
    from datetime import date

    with app.app_context():
        r = reports.day_report(get_session(), project_id=tenth.p1.id, day=date(2026, 3, 10), tz="Asia/Shanghai")
    t = tenth.tenth
    assert [c.id for c in r.rows] == [t[k].id for k in ("F", "A", "B", "I", "C")]  # in the order they came
    assert (r.received, r.replied_on_time, r.closed, r.open_at_end, r.overdue_at_end) == (5, 2, 2, 5, 1)
    assert r.by_category == {"服务态度": 1, "噪音": 2, "环境卫生": 1, "其他": 1}
    assert r.by_department == {"未转交": 2, "秩序维护部": 1, "保洁部": 1, "客服部": 1}


def test_the_page_the_pdf_and_the_csv_say_the_same(tenth, login_as):
    client = login_as("frontdesk")
    base = f"/projects/{tenth.p1.id}/complaints/daily"
    page = client.get(f"{base}?day={DAY}")
    assert page.status_code == 200
    assert text(page, "[data-figure]") == ["5", "2", "2", "5"]
    assert len(text(page, ".daily-complaints tbody tr")) == 5
    pdf = client.get(f"{base}.pdf?day={DAY}")
    assert pdf.mimetype == "application/pdf"
    extracted = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "客户投诉信息日报表" in extracted and all(tenth.tenth[k].number in extracted for k in "ABCFI")
    assert tenth.tenth["G"].number not in extracted
    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv?day={DAY}").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:6]] == [tenth.tenth[k].number for k in ("F", "A", "B", "I", "C")]
    assert ["受理", "5"] in rows and ["其中超时", "1"] in rows


def test_the_monthly_front_desk_report_counts_the_month(tenth, login_as):
    client = login_as("supervisor")
    base = f"/projects/{tenth.p1.id}/frontdesk/monthly"
    page = client.get(f"{base}?month=2026-03")
    assert page.status_code == 200
    figures = {el["data-figure"]: el.get_text(" ", strip=True) for el in soup(page).select("[data-figure]")}
    assert figures["complaints"] == "8"  # A B C D E F G I: all received in March
    assert figures["closed"] == "2"
    pdf = client.get(f"{base}.pdf?month=2026-03")
    extracted = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "客服前台月报" in extracted
    assert client.get(f"{base}.csv?month=2026-03").status_code == 200
    assert login_as("guard").get(base).status_code == 403
