"""Figures the reliability and security tests measure.

A test asks for the ``figures`` fixture and records what it measured
(``figures("ws_frames_fuzzed", 600)``). The figures are printed in a
"figures" section at the end of the run, attached to the JUnit report as test
properties, and written to test-artifacts/figures.json, so docs/reliability.md
and docs/security.md can quote them with the test behind each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
RECORDED: list[dict] = []


@pytest.fixture
def figures(request):
    def record(name: str, value, unit: str = "") -> None:
        RECORDED.append({"test": request.node.nodeid, "name": name, "value": value, "unit": unit})
        request.node.user_properties.append((name, value))
        print(f"FIGURE {name} = {value} {unit}".rstrip())

    return record


def pytest_terminal_summary(terminalreporter) -> None:
    if not RECORDED:
        return
    terminalreporter.section("figures")
    for row in RECORDED:
        value = f"{row['value']} {row['unit']}".rstrip()
        terminalreporter.write_line(f"{row['name']:<44} {value:<16} {row['test']}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "figures.json").write_text(json.dumps(RECORDED, indent=2))
