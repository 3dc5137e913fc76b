"""CSV exports open in Excel as Chinese and never run a formula typed by a user."""
import csv
import io

import pytest

from app.handovers.models import HandoverLine
from app.reports.csv_export import csv_response


def _rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_user_text_that_excel_would_run_stays_text_and_numbers_stay_numbers(app):
    with app.test_request_context():
        response = csv_response([["备注", "数量"], ['=HYPERLINK("http://evil","点我")', -3], ["@SUM(A1)", 0],
                                 ["+86 138", 5], ["杯口有裂纹", 1]], "x.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert _rows(response) == [["备注", "数量"], ["'=HYPERLINK(\"http://evil\",\"点我\")", "-3"], ["'@SUM(A1)", "0"],
                               ["'+86 138", "5"], ["杯口有裂纹", "1"]]


@pytest.mark.usefixtures("handover_world")
def test_a_handover_note_typed_as_a_formula_reaches_the_sheet_as_text(login_as, world, db):
    line = db.get(HandoverLine, world.handover_lines["p1"].id)
    line.status, line.note = "damaged", "=1+1"
    db.add(line)
    db.commit()
    rows = _rows(login_as("supervisor").get(f"/projects/{world.p1.id}/handovers/discrepancies.csv"))
    assert rows[1][8] == "'=1+1"
