"""The README's test command on a fresh machine: scripts/ensure-chromium,
which `make test` and .ci/run call before any test, run against a PATH of
stand-ins (who the user is, sudo, apt-get) and a chromium that is missing."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure-chromium"


def _stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def machine(tmp_path):
    """A machine without chromium: stand-ins log what they were asked to do,
    and a fake apt-get 'installs' chromium where the script looks for it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    chromium = tmp_path / "usr-bin-chromium"
    log = tmp_path / "calls.log"
    _stand_in(
        bin_dir,
        "apt-get",
        f'echo "apt-get $*" >> {log}\n'
        f'if [ "$1" = install ]; then printf "#!/bin/true\\n" > {chromium}; fi\n'
        f"chmod +x {chromium} 2>/dev/null || true",
    )

    def run(*, uid: int, sudo: str | None) -> subprocess.CompletedProcess:
        _stand_in(bin_dir, "id", f"echo {uid}")
        if sudo == "without password":
            _stand_in(bin_dir, "sudo", f'echo "sudo $*" >> {log}\nshift; exec "$@"')
        elif sudo == "asks for a password":
            _stand_in(bin_dir, "sudo", "exit 1")
        # Nothing of this machine's own apt-get, id or sudo may be reached.
        env = {"PATH": f"{bin_dir}:{_only_shell_tools(tmp_path)}", "CHROMIUM": str(chromium)}
        return subprocess.run(
            [_which("bash") or "/bin/bash", str(SCRIPT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    return run, chromium, log


def _only_shell_tools(tmp_path: Path) -> str:
    """A folder with just the ordinary tools the script itself needs."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for name in ("bash", "chmod", "printf", "cat", "true"):
        source = _which(name)
        if source and not (tools / name).exists():
            (tools / name).symlink_to(source)
    return str(tools)


def _which(name: str) -> str | None:
    for folder in os.environ.get("PATH", "").split(":"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def test_it_installs_chromium_as_root(machine):
    run, chromium, log = machine
    result = run(uid=0, sudo=None)
    assert result.returncode == 0, result.stderr
    assert chromium.exists()
    assert "apt-get install -y -qq chromium fonts-dejavu-core" in log.read_text()


def test_it_installs_chromium_with_sudo_that_asks_no_password(machine):
    run, chromium, log = machine
    result = run(uid=1000, sudo="without password")
    assert result.returncode == 0, result.stderr
    assert chromium.exists()
    assert "sudo -n apt-get install -y -qq chromium fonts-dejavu-core" in log.read_text()


def test_it_stops_with_the_command_to_run_when_it_may_not_install(machine):
    run, chromium, log = machine
    result = run(uid=1000, sudo="asks for a password")
    assert result.returncode == 1
    assert "apt-get update && apt-get install -y chromium fonts-dejavu-core" in result.stderr
    assert not chromium.exists()
    assert not log.exists()  # nothing was attempted


def test_it_does_nothing_when_chromium_is_there(machine):
    run, chromium, log = machine
    chromium.write_text("#!/bin/true\n")
    chromium.chmod(0o755)
    result = run(uid=1000, sudo=None)
    assert result.returncode == 0
    assert not log.exists()


def test_make_test_and_ci_run_it_before_any_test():
    dry_run = subprocess.run(
        [_which("make") or "/usr/bin/make", "-n", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    steps = [line for line in dry_run if "ensure-chromium" in line or "pytest" in line]
    assert steps[0].startswith("scripts/ensure-chromium") and "pytest" in steps[1]
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    first_make_test = next(i for i, c in enumerate(commands) if "make test" in c)
    assert commands.index("scripts/ensure-chromium") < first_make_test
    assert not any("apt-get install" in c for c in commands)  # one install path, not two
