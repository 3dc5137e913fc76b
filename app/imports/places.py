"""Areas and checkpoints, each optionally put on a patrol route with its checklist (by template key)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.checklists.services import templates_stmt
from app.imports import base
from app.imports.base import CellError, Column, Kind, Outcome, Plan
from app.patrols import services as patrols
from app.projects import services as projects

COLUMNS = (
    Column("area", "区域", _l("巡更点所在的区域;没有的区域会新建。"), "销售大厅", True, ("area",), 16),
    Column("name", "巡更点", _l("巡更点名称,同一区域内不能重复;已有同名的则更新它的备注和位置。"), "消防通道",
           True, ("巡检点", "名称", "checkpoint", "name"), 18),
    Column("note", "备注", _l("给巡逻人员看的说明,可空,最多 500 字。"), "检查灭火器压力、通道畅通",
           aliases=("说明", "note"), width=28),
    Column("latitude", "纬度", _l("可空;填写时须与经度同时填写,如 24.51。"), "24.5128", aliases=("latitude", "lat")),
    Column("longitude", "经度", _l("可空;如 117.65。"), "117.6471", aliases=("longitude", "lon", "lng")),
    Column("route", "路线", _l("可空;填写时把巡更点加到这条巡逻路线的末尾(没有的路线会新建)。"), "夜间巡逻",
           aliases=("巡逻路线", "route"), width=16),
    Column("template", "检查表", _l("可空;检查表的编号(模板键,如 night-patrol),须与“路线”同时填写。"),
           "checkpoint-fire-exit", aliases=("检查表编号", "模板", "template"), width=22),
)


class Places(Kind):
    name, sheet, columns, exports = "checkpoints", "巡更点", COLUMNS, True
    label = _l("区域和巡更点")

    def plan(self, session, *, actor, project, table, options):
        plan = Plan(self.name)
        found = base.match_columns(table, self.columns, plan)
        templates = {t.key: t.id for t in session.exec(templates_stmt(project.organisation_id))}
        existing = {(a.name, c.name): c for c, a in projects.checkpoints_of(session, project)}
        on_route = {(route.name, stop.checkpoint_id): stop.template_id for route in patrols.routes_of(session, project)
                    for stop, *_rest in patrols.stops_of(session, route)}
        seen: dict[tuple[str, str], int] = {}
        rows, stops = [], []
        for cells in base.each_row(table, found, self.columns):
            try:
                row = {"area": cells.text("area", required=True), "name": cells.text("name", required=True),
                       "note": cells.text("note", 500), "latitude": cells.number("latitude", -90, 90),
                       "longitude": cells.number("longitude", -180, 180)}
                if (row["latitude"] is None) != (row["longitude"] is None):
                    cells.fail("longitude" if row["longitude"] is None else "latitude", _("经纬度须同时填写或同时留空"))
                route, key = cells.text("route"), cells.text("template", 60)
                if key and not route:
                    cells.fail("route", _("填写检查表时须同时填写路线"))
                if key and key not in templates:
                    cells.fail("template", _("没有编号为“%(key)s”的检查表", key=key))
                place = (row["area"], row["name"])
                cells.once("name", place, seen)
            except CellError as exc:
                plan.add(cells.line, base.REFUSED, " · ".join(filter(None, (cells.raw("area"), cells.raw("name")))),
                         exc.message)
                continue
            seen[place] = cells.line
            old = existing.get(place)
            same = old is not None and (old.note, old.latitude, old.longitude) == (
                row["note"], row["latitude"], row["longitude"]) and (
                not route or on_route.get((route, old.id), "none") == templates.get(key))
            plan.add(cells.line, base.CREATED if old is None else base.UNCHANGED if same else base.UPDATED,
                     f"{row['area']} · {row['name']}")
            rows.append(row)
            stops.append((route, templates.get(key)) if route else None)
        plan.data = (rows, stops)
        return plan

    def apply(self, session, *, actor, project, plan):
        rows, stops = plan.data
        saved = projects.import_places(session, actor=actor, project=project, rows=rows)
        placed = [(stop[0], checkpoint_id, stop[1]) for checkpoint_id, stop in zip(saved, stops) if stop]
        if placed:
            patrols.place_on_routes(session, actor=actor, project=project, stops=placed)
        return Outcome(_("已导入 %(n)d 个巡更点。", n=len(saved)))

    def export_rows(self, session, *, project, options):
        first_stop = {}
        for route in patrols.routes_of(session, project):
            for stop, checkpoint, _area, template in patrols.stops_of(session, route):
                first_stop.setdefault(checkpoint.id, (route.name, template.key if template else ""))
        return [[area.name, c.name, c.note, c.latitude, c.longitude, *first_stop.get(c.id, ("", ""))]
                for c, area in projects.checkpoints_of(session, project)], project.name


base.register(Places())
