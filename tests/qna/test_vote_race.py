"""Votes in truly parallel transactions (race_check.py, 20 threads at a
time), run in a subprocess on PostgreSQL and on a SQLite file, whichever
database this run uses: the same pattern as tests/quizzes/test_concurrency.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("QUIZ_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/workshop")


def _race(env_update: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env_update}
    for name in drop:
        env.pop(name, None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "--ds",
            "tests.quizzes.race_settings",
            "tests/qna/race_check.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    return result.stdout


def test_parallel_votes_on_postgresql():
    # Its own database name: parallel runs of the suite never collide. The
    # pool holds a connection for every thread, so that all start together.
    base = POSTGRES_URL.rsplit("/", 1)[0]
    out = _race(
        {
            "DATABASE_URL": f"{base}/qnarace_{uuid.uuid4().hex[:8]}",
            "DATABASE_POOL_MAX": "24",
            "QUIZ_RACE_SQLITE": "unused",
        }
    )
    assert "parallel votes on postgresql: 50 stored, 10 refused" in out


def test_parallel_votes_on_sqlite(tmp_path):
    out = _race({"QUIZ_RACE_SQLITE": str(tmp_path / "race.sqlite3")}, drop=("DATABASE_URL",))
    assert "parallel votes on sqlite: 50 stored, 10 refused" in out
