"""SQLite under contention: 40 concurrent writers, 0 "database is locked"."""

import json
import os
import subprocess
import sys

from ..live_server import ROOT


def _manage_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "workshop.settings",
        "SQLITE_PATH": str(tmp_path / "contention.sqlite3"),
        "DEBUG": "1",
    }


def test_forty_concurrent_writers_never_see_a_locked_database(tmp_path, figures):
    env = _manage_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.sqlite_writers", "40"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    figures("sqlite_concurrent_writers", report["writers"])
    figures("sqlite_database_is_locked", report["locked"])
    figures("sqlite_slowest_writer", report["slowest_seconds"], "s")
    assert report["journal_mode"] == "wal"
    assert report["errors"] == []
    assert report["locked"] == 0
    assert report["stored"] == report["joined"] == 40
