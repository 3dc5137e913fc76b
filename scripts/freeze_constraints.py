"""Write constraints.txt: the exact versions, in this venv, of everything the project installs (its
dependencies, the pg/test/i18n extras, and theirs). `make` installs with `-c constraints.txt`, so a fresh
machine gets the versions the tests passed with. Run it after changing a dependency and a green `make test`:

    .venv/bin/python scripts/freeze_constraints.py
"""
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("pg", "test", "i18n")


def _wanted(requirement: Requirement, extras: frozenset) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**default_environment(), "extra": extra}) for extra in extras or {""})


def closure() -> dict[str, str]:
    """Installed name → version for the project's requirements and all they require, transitively."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    todo += [Requirement(r) for extra in EXTRAS for r in project["optional-dependencies"].get(extra, [])]
    pinned: dict[str, str] = {}
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        requirement = todo.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # an extra not installed here (i18n's opencc, say): nothing to pin
        pinned[name] = dist.version
        todo += [r for r in map(Requirement, dist.requires or []) if _wanted(r, extras)]
    return pinned


if __name__ == "__main__":
    lines = [f"{name}=={version}" for name, version in sorted(closure().items())]
    header = "# The versions the tests passed with; written by scripts/freeze_constraints.py, used by make.\n"
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n")
    print(f"constraints.txt: {len(lines)} packages")
