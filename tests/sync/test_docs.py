"""The sync protocol's documentation keeps up with the code."""
import re

from app.config import BASE_DIR
from app.sync.services import KINDS


def _documented_kinds() -> set[str]:
    text = (BASE_DIR / "docs" / "sync.md").read_text(encoding="utf-8")
    table = text.split("## Record kinds", 1)[1].split("\n## ", 1)[0]
    return {name for row in table.splitlines() if row.startswith("| `")
            for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def test_every_registered_record_kind_is_documented(app):
    assert KINDS, "no record kind registered"
    assert set(KINDS) - _documented_kinds() == set()


def test_the_docs_list_no_kind_that_does_not_exist(app):
    assert _documented_kinds() - set(KINDS) == set()


def test_the_openapi_description_has_every_api_route(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in paths, path
        documented = {method.upper() for method in paths[path]}
        assert rule.methods - {"HEAD", "OPTIONS"} <= documented, (path, rule.methods)
