"""Lighthouse (mobile, simulated throttling) on pages of the demo, served by waitress from this checkout on a
scratch database, logged in by a session cookie (issue 15: the inspection sheet's performance >= 0.9, total
blocking time < 300 ms; accessibility and best practices 1.00). Not part of `make test`: it needs Lighthouse,
installed once from the npm registry in a directory of your own outside the repository:

    mkdir -p ~/lighthouse && cd ~/lighthouse && npm install lighthouse
    LIGHTHOUSE=~/lighthouse/node_modules/.bin/lighthouse .venv/bin/python scripts/lighthouse.py [--runs 3] [PATH …]

Each page is audited in turn with a baseline page (`--baseline`, /account: the same scripts, few elements), as
`make bench` pairs its figures: on a loaded machine even the baseline blocks for 100-450 ms.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench import Served, _cookie, log_in, setup_app  # noqa: E402
from tests.browser.helpers import CHROMIUM  # noqa: E402

PAGES = {"/projects/1/inspections/new": "inspector1"}
BASELINE = "/account"  # the same base scripts and top bar, 82 elements
CATEGORIES = ("performance", "accessibility", "best-practices")


def audit(lighthouse: str, url: str, cookie: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run([lighthouse, url, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
                        f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox",
                        f"--extra-headers={json.dumps({'Cookie': cookie})}"],
                       check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
        report = json.loads(out.read_text())
    audits = report["audits"]
    return {**{c: report["categories"][c]["score"] for c in CATEGORIES},
            "TBT ms": audits["total-blocking-time"]["numericValue"],
            "LCP ms": audits["largest-contentful-paint"]["numericValue"],
            "elements": audits["dom-size"]["numericValue"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(PAGES), help="pages (logged in as their PAGES user, else inspector1)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median of each figure is printed")
    parser.add_argument("--baseline", default=BASELINE, help="a light page with the same scripts, audited in turn with "
                        "each page: on a busy machine its blocking time says how much of a page's is the load's")
    args = parser.parse_args()
    lighthouse = os.environ.get("LIGHTHOUSE", "lighthouse")
    app = setup_app()
    with Served(app) as served:
        for path in args.paths:
            pair = [path, args.baseline] if args.baseline and args.baseline != path else [path]
            cookies = {p: _cookie(log_in(app, PAGES.get(p, "inspector1"))) for p in pair}
            runs = {p: [] for p in pair}
            for _ in range(args.runs):  # alternated, so a change of load moves both
                for p in pair:
                    runs[p].append(audit(lighthouse, f"http://127.0.0.1:{served.port}{p}", cookies[p]))
            for p in pair:
                figures = {key: statistics.median(r[key] for r in runs[p]) for key in runs[p][0]}
                label = p if p == path else f"   baseline {p}"
                print(label, "  ".join(f"{k} {v:.2f}" if v <= 1 else f"{k} {v:,.0f}" for k, v in figures.items()))
                if p == path:
                    verdict = figures["performance"] >= 0.9 and figures["TBT ms"] < 300
                    print("   target performance >= 0.90 and TBT < 300 ms:", "met" if verdict else "NOT met")
            print("   load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
