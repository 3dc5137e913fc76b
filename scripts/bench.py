"""Benchmarks (`make bench`): server-side timings on a scratch SQLite database. Figures, not assertions.

Prints the median of repeated runs for: the login check (argon2id at production cost), the home
page, the project page, and the QR label PDF of a 60-checkpoint project.
"""
import gzip
import os
import sys
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    os.environ.update(INSTANCE_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", SECRET_KEY="bench")
    from app import create_app
    from app.core.db import engine, upgrade_to_head
    from app.projects.models import Area, Checkpoint

    app = create_app()
    with app.app_context():
        upgrade_to_head(engine())
        app.test_cli_runner().invoke(args=["seed-demo"])
        with Session(engine()) as session:
            area = Area(project_id=1, name="压测区域")
            session.add(area)
            session.flush()
            session.add_all([Checkpoint(project_id=1, area_id=area.id, name=f"压测点 {i}") for i in range(48)])
            session.commit()

    def log_in():
        fresh = app.test_client()
        page = fresh.get("/login").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        fresh.post("/login", data={"username": "supervisor1", "password": "demo1234", "csrf_token": token})
        return fresh

    client = log_in()
    results = {
        "login page + login (argon2id, production cost)": median_ms(log_in, 5),
        "home page": median_ms(lambda: client.get("/"), 30),
        "project page (60 checkpoints)": median_ms(lambda: client.get("/projects/1"), 30),
        "QR label PDF (60 labels)": median_ms(lambda: client.get("/projects/1/labels.pdf"), 3),
    }
    shell = ["/static/css/app.css", "/static/js/app.js", "/static/vendor/htmx/htmx.min.js", "/"]
    shell_bytes = sum(len(gzip.compress(client.get(url).data)) for url in shell)
    for name, value in results.items():
        print(f"{name:<48} {value:8.1f} ms (median)")
    print(f"{'app shell + home, gzip':<48} {shell_bytes / 1024:8.1f} KB")


if __name__ == "__main__":
    main()
