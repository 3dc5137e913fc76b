"""A score sheet as an inspector keeps it in Excel becomes an inspection template (app.checklists): one row per
item with its category, points, per-occurrence deduction, category cap and veto. The base score is the sum of the
points. The sheet is found by name in the organisation; importing it again adds a version."""
import hashlib

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.checklists.services import (
    TemplateError,
    current_version,
    iter_items,
    score_sheet_templates,
    stage_template,
    templates_stmt,
    validate_definition,
)
from app.imports import base
from app.imports.base import CellError, Column, Kind, Outcome, Plan
from app.imports.reading import ImportRefused

COLUMNS = (
    Column("section", "分区", _l("检查的地方或环节,如 外围、销售大厅;可空(空时与类别相同)。"), "销售大厅",
           aliases=("区域", "section"), width=12),
    Column("category", "类别", _l("扣分类别,如 环境展示类、职业表现类、风险管理类。"), "环境展示类", True,
           ("扣分类别", "category"), 14),
    Column("label", "检查项目", _l("检查的内容,最多 200 字。"), "接待台干净整洁,无杂物", True,
           ("检查内容", "项目", "item", "label"), 32),
    Column("points", "分值", _l("本项最多扣的分;全部分值之和即基础分(如 100、144)。"), "2", True,
           ("扣分", "分数", "points"), 8),
    Column("per", "每次扣分", _l("可空;填写时每发现一处扣这么多分,最多扣到“分值”。"), "1",
           aliases=("每处扣分", "per occurrence"), width=10),
    Column("cap", "类别上限", _l("可空;本类别各项合计最多扣的分(同一类别写一次即可)。"), "30",
           aliases=("类别扣分上限", "cap"), width=10),
    Column("veto", "一票否决", _l("是 / 否;“是”的项不合格时整张检查表得 0 分。"), "否", aliases=("否决", "veto"),
           width=10),
    Column("photo", "须拍照", _l("是 / 否;不合格时须拍照。"), "是", aliases=("拍照", "photo"), width=8),
    Column("ticket", "须报修", _l("是 / 否;不合格时自动生成报修单(漏水、灯坏等设施问题)。"), "否",
           aliases=("报修", "creates ticket"), width=8),
    Column("last_time", "上次问题", _l("是 / 否;“是”的项按上次检查未关闭的整改项计扣分。"), "否",
           aliases=("上次检查问题", "last time"), width=10),
    Column("help", "说明", _l("可空;检查时显示在项目下方的提示,如“每发现一处扣1分”。"), "", aliases=("提示", "help"), width=24),
    Column("key", "编号", _l("可空;项目的编号(小写字母、数字、-),再次导入时据此对应同一项。"), "reception-desk",
           aliases=("key",), width=16),
)
GENERIC_SHEETS = {"", "sheet1", "评分表", "检查表", "工作表1"}


def _template_for(session, organisation_id: int, name: str, key: str):
    """The organisation's template of that key, or else its score sheet of that name."""
    templates = session.exec(templates_stmt(organisation_id, include_archived=True)).all()
    return next((t for t in templates if t.key == key), None) if key else next(
        (t for t in templates if t.name == name and t.is_score_sheet), None)


class ScoreSheets(Kind):
    name, sheet, columns, exports, roles, titled = "scoresheet", "评分表", COLUMNS, True, (), True
    label = _l("检查评分表")

    def plan(self, session, *, actor, project, table, options):
        plan = Plan(self.name)
        found = base.match_columns(table, self.columns, plan)
        name = (options.get("name") or "").strip() or (table.sheet if table.sheet.lower() not in GENERIC_SHEETS else "")
        if not name or len(name) > 120:
            raise ImportRefused(_("请填写检查表名称(最多 120 字)。"), {"name": _("请填写名称")})
        template = _template_for(session, project.organisation_id, name, (options.get("key") or "").strip())
        plan.target = name
        key = template.key if template else "sheet-" + hashlib.sha1(name.encode()).hexdigest()[:8]
        old = {i["key"]: i for _n, i in iter_items(current_version(session, template).definition)} if template else {}
        sections, caps, seen = {}, {}, {}
        for number, cells in enumerate(base.each_row(table, found, self.columns), start=1):
            try:
                item = self._item(cells, number)
                cap = cells.number("cap", 0, 10_000)
                if cap is not None and caps.setdefault(item["category"], cap) != cap:
                    cells.fail("cap", _("与同类别的上限 %(cap)s 不一致", cap=f"{caps[item['category']]:g}"))
                if item["key"] in seen:
                    cells.fail("key", _("编号与第 %(line)d 行重复", line=seen[item["key"]]))
            except CellError as exc:
                plan.add(cells.line, base.REFUSED, cells.raw("label")[:40], exc.message)
                continue
            seen[item["key"]] = cells.line
            section = cells.text("section") or item["category"]
            sections.setdefault(section, []).append(item)
            before = old.get(item["key"])
            unchanged = before is not None and all(before.get(k) == v for k, v in item.items())
            plan.add(cells.line, base.CREATED if before is None else base.UNCHANGED if unchanged else base.UPDATED,
                     f"{item['category']} · {item['label'][:40]} ({item['points']:g})")
        definition = None
        if not plan.refused:
            definition = self._definition(key, name, sections, caps)
        plan.data = (definition, template)
        return plan

    def _item(self, cells, number: int) -> dict:
        points = cells.number("points", 0, 1000, required=True)
        per = cells.number("per", 0.01, 1000)
        if per is not None and points and per > points:
            cells.fail("per", _("每次扣分不能大于分值"))
        key = cells.text("key", 40).lower() or f"i{number}"
        if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key):
            cells.fail("key", _("编号只能用小写字母、数字、- 和 _"))
        return {"key": key, "label": cells.text("label", 200, required=True), "type": "pass_fail",
                "points": points, "category": cells.text("category", 60, required=True), "veto": cells.flag("veto"),
                "photo_when_failed": cells.flag("photo"), "creates_ticket": cells.flag("ticket"),
                "last_time": cells.flag("last_time"),
                "repeatable": per is not None, "per_occurrence": per, "help": cells.text("help", 500)}

    def _definition(self, key: str, name: str, sections: dict, caps: dict) -> dict:
        total = round(sum(i["points"] for items in sections.values() for i in items), 2)
        if not sections or not total or not float(total).is_integer():
            raise ImportRefused(_("分值合计 %(total)s 分,须为正整数(即基础分)。", total=f"{total:g}"))
        raw = {"key": key, "name": name, "purpose": "inspection", "score_sheet": True, "base_score": int(total),
               "category_caps": caps, "sections": [{"title": t, "items": items} for t, items in sections.items()]}
        try:
            return validate_definition(raw)
        except TemplateError as exc:
            raise ImportRefused(" ".join(exc.errors[:3])) from None

    def apply(self, session, *, actor, project, plan):
        definition, _template = plan.data
        version = stage_template(session, actor=actor, organisation_id=project.organisation_id, definition=definition)
        return Outcome(_("检查表“%(name)s”已导入(第 %(n)d 版,基础分 %(base)d)。", name=definition["name"],
                         n=version.number, base=definition["base_score"]))

    def export_rows(self, session, *, project, options):
        templates = score_sheet_templates(session, project.organisation_id)
        template = next((t for t in templates if str(t.id) == str(options.get("template_id"))), None)
        if template is None:
            raise ImportRefused(_("请选择检查表。"), status=404)
        definition = current_version(session, template).definition
        caps, rows = dict(definition.get("category_caps") or {}), []
        for section in definition["sections"]:
            for item in section["items"]:
                cap = caps.pop(item["category"], None)
                rows.append([section["title"], item["category"], item["label"], item["points"],
                             item.get("per_occurrence"), cap, "是" if item["veto"] else "否",
                             "是" if item["photo_when_failed"] else "否", "是" if item["creates_ticket"] else "否",
                             "是" if item.get("last_time") else "否",
                             item["help"], item["key"]])
        return rows, template.name


base.register(ScoreSheets())
