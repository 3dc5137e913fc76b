"""Capabilities talk through each other's services, never their tables (docs/capabilities.md).

A module of a capability may import another capability's table class to annotate a parameter or a return
value; using it anywhere else (select(...), session.get(...), a join, get_posted(...)) is reading that
capability's table, and the owning capability's services are the place for that read.
"""
import ast
import importlib
from pathlib import Path

from sqlmodel import SQLModel

APP = Path(__file__).resolve().parent.parent / "app"
CAPABILITIES = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").exists() and p.name != "core")

def _capability(name: str) -> str | None:
    parts = Path(name).parts
    return parts[0] if len(parts) > 1 and parts[0] in CAPABILITIES else None


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """The ids of every node inside an annotation (parameters, returns, annotated assignments)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        annotations = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            arguments += [a for a in (node.args.vararg, node.args.kwarg) if a]
            annotations = [a.annotation for a in arguments if a.annotation] + ([node.returns] if node.returns else [])
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for annotation in annotations:
            inside.update(id(n) for n in ast.walk(annotation))
    return inside


def _foreign_tables(tree: ast.AST, capability: str) -> dict[str, str]:
    """Names this module imports that are another capability's tables: name -> "capability.Class"."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("app."):
            continue
        owner = node.module.split(".")[1]
        if owner == capability or owner not in CAPABILITIES or not node.module.endswith(".models"):
            continue
        models = importlib.import_module(node.module)
        for alias in node.names:
            value = getattr(models, alias.name, None)
            if isinstance(value, type) and issubclass(value, SQLModel) and hasattr(value, "__table__"):
                found[alias.asname or alias.name] = f"{owner}.{alias.name}"
    return found


def _reads_of_others(name: str, source: str) -> list[str]:
    """Where the module `name` (relative to app/) uses another capability's table outside an annotation."""
    capability = _capability(name)
    if capability is None or Path(name).name == "models.py":
        return []
    tree = ast.parse(source)
    tables = _foreign_tables(tree, capability)
    annotations = _annotation_nodes(tree)
    reads = {f"{name}:{node.lineno} uses {tables[node.id]}" for node in ast.walk(tree)
             if isinstance(node, ast.Name) and node.id in tables and id(node) not in annotations}
    modules = {f"{name}:{node.lineno} imports app.{owner}.models whole" for node in ast.walk(tree)
               for owner in _whole_models(node) if owner != capability}
    return sorted(reads | modules)


def _whole_models(node: ast.AST) -> list[str]:
    """The capabilities whose models module this import brings in as a module (`from app.x import models`)."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").count(".") == 1 and node.module.startswith("app."):
        return [node.module.split(".")[1]] if any(alias.name == "models" for alias in node.names) else []
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[1] for alias in node.names
                if alias.name.startswith("app.") and alias.name.endswith(".models") and alias.name.count(".") == 2]
    return []


def test_no_capability_reads_another_capabilitys_tables():
    reads = [read for path in sorted(APP.rglob("*.py"))
             for read in _reads_of_others(str(path.relative_to(APP)), path.read_text())]
    assert reads == [], "read through the owning capability's services:\n" + "\n".join(reads)


def test_the_check_sees_a_read_and_lets_an_annotation_pass():
    source = ("from sqlmodel import select\nfrom app.projects.models import PROJECT_KINDS, Area, Project\n\n\n"
              "def f(project: Project, kind=PROJECT_KINDS) -> list[Project]:\n    return select(Area)\n")
    assert _reads_of_others("patrols/probe.py", source) == ["patrols/probe.py:6 uses projects.Area"]
    assert _reads_of_others("projects/probe.py", source) == []
    assert _reads_of_others("patrols/probe.py", "from app.projects import models\n") == [
        "patrols/probe.py:1 imports app.projects.models whole"]
