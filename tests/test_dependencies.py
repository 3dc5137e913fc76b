"""What pyproject.toml declares is what the code needs, and constraints.txt pins what the tests passed with."""
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DECLARED = [Requirement(r) for r in PROJECT["dependencies"]] + [
    Requirement(r) for extra in ("pg", "test") for r in PROJECT["optional-dependencies"][extra]]


def _pins() -> dict[str, str]:
    lines = [line.strip() for line in (ROOT / "constraints.txt").read_text().splitlines()]
    pairs = [line.split("==") for line in lines if line and not line.startswith("#")]
    assert all(len(pair) == 2 for pair in pairs), "every constraint is an exact pin"
    return {canonicalize_name(name): version for name, version in pairs}


def _declared(name: str) -> Requirement:
    return next(r for r in DECLARED if canonicalize_name(r.name) == name)


def test_weasyprint_is_declared_from_the_version_that_has_the_url_fetcher():
    from weasyprint.urls import URLFetcher  # what app/reports/pdf.py uses

    assert URLFetcher and not _declared("weasyprint").specifier.contains("67.0")


def test_every_declared_requirement_is_pinned_within_what_it_declares():
    pins = _pins()
    for requirement in DECLARED:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_the_tests_run_with_the_pinned_versions():
    pins = _pins()
    for requirement in DECLARED:
        name = canonicalize_name(requirement.name)
        assert metadata.version(requirement.name) == pins[name], f"{name}: run scripts/freeze_constraints.py"


def test_make_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-e " in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
