"""A site's inspection list: newest first, with each sheet's score and a badge for a pending objection."""
from tests.html import soup, text


def test_the_list_shows_the_project_inspections_with_their_pending_objection(world, login_as):
    page = login_as("inspector").get(f"/projects/{world.p1.id}/inspections")
    assert page.status_code == 200
    inspection = world.inspections["p1"]
    [row] = soup(page).select("#inspections li.inspection-row")
    assert row["id"] == f"inspection-{inspection.id}"
    assert row.select_one("a")["href"] == f"/inspections/{inspection.id}"
    assert "小检查表" in row.get_text(" ", strip=True)
    assert text(page, f"#inspection-{inspection.id} .badge.veto") == ["异议待处理"]


def test_the_list_is_for_inspectors_and_leads_of_the_project_only(world, login_as):
    assert login_as("guard").get(f"/projects/{world.p1.id}/inspections").status_code == 403
    assert login_as("outsider").get(f"/projects/{world.p1.id}/inspections").status_code == 404
