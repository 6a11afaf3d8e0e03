"""Production settings, the Content-Security-Policy, secrets and the admin."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from workshop.middleware import CONTENT_SECURITY_POLICY

from ..conftest import participant_client

ROOT = Path(__file__).resolve().parents[2]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "workshop.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(figures):
    result = _run(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "workshop.example.org",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    output = result.stdout + result.stderr
    warnings = len(re.findall(r"\(security\.W\d+\)|\(\w+\.W\d+\)", output))
    figures("check_deploy_warnings", warnings)
    assert result.returncode == 0, output
    assert warnings == 0, output
    assert "System check identified no issues" in output


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"DEBUG": "0"}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_secrets_come_from_the_environment():
    key = secrets.token_urlsafe(50)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(s.SECRET_KEY == {key!r}, s.ALLOWED_HOSTS, s.DEBUG, s.SESSION_COOKIE_SECURE)"
    )
    result = _run(
        {"DEBUG": "0", "SECRET_KEY": key, "ALLOWED_HOSTS": "a.example,b.example"}, "-c", code
    )
    assert result.stdout.split() == ["True", "['a.example',", "'b.example']", "False", "True"]


SECRET_LITERAL = re.compile(
    r"""(SECRET_KEY|PASSWORD|TOKEN|API_KEY)\s*[=:]\s*["'][^"']{6,}["']""", re.IGNORECASE
)


def test_no_secret_is_written_in_the_code():
    found = []
    for folder in ("live", "workshop", "quizzes", "sdgmap", "reports"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if SECRET_LITERAL.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    settings_text = (ROOT / "workshop" / "settings.py").read_text()
    # The one literal key only ever serves DEBUG, on a laptop.
    assert 'env_str("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else "")' in settings_text
    assert found == []


# --- Content-Security-Policy on every kind of page ----------------------------------------


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {p.split()[0]: " ".join(p.split()[1:]) for p in header.split(";") if p.strip()}


def _assert_strict(response, where: str) -> None:
    policy = _policy(response)
    assert policy["script-src"] == "'self'", where
    assert policy["default-src"] == "'self'", where
    assert policy["object-src"] == "'none'", where
    assert policy["frame-ancestors"] == "'none'", where
    assert "unsafe" not in policy["script-src"], where


@pytest.mark.django_db
def test_every_kind_of_page_carries_a_csp_without_inline_script(
    client, session, participant, facilitator_client, settings, figures
):
    settings.JOIN_RATE_LIMIT = 0
    public = {"public_id": session.public_id}
    phone = participant_client(participant)
    responses = {
        "join": client.get(reverse("workshop:home")),
        "join with code": client.get(reverse("workshop:join_code", kwargs={"code": session.code})),
        "join refused (429)": client.post(reverse("workshop:join"), {"code": "ZZZZZZ"}),
        "participant": phone.get(reverse("workshop:participant", kwargs={"code": session.code})),
        "participant fragment": phone.post(
            reverse("workshop:participant_language", kwargs={"code": session.code}),
            {"language": "fr"},
            HTTP_HX_REQUEST="true",
        ),
        "screen": client.get(reverse("workshop:screen", kwargs=public)),
        "dashboard": facilitator_client.get(reverse("workshop:dashboard")),
        "control": facilitator_client.get(reverse("workshop:control", kwargs=public)),
        "control fragment": facilitator_client.post(
            reverse("workshop:step_go", kwargs=public), {"to": "next"}, HTTP_HX_REQUEST="true"
        ),
        "forbidden (403)": phone.get(reverse("workshop:control", kwargs=public)),
        "not found (404)": client.get("/no/such/page/"),
        "admin login": client.get("/admin/login/"),
        "admin": facilitator_client.get("/admin/"),
    }
    for where, response in responses.items():
        _assert_strict(response, where)
    assert responses["join refused (429)"].status_code == 429
    # Only the admin, whose widgets set style attributes, relaxes style-src.
    assert _policy(responses["admin"])["style-src"] == "'self' 'unsafe-inline'"
    assert _policy(responses["control"])["style-src"] == "'self'"
    figures("csp_page_types_checked", len(responses))


def test_our_templates_hold_no_inline_script_style_or_handler():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                found.append(f"{path.name}: {match.group(0)}")
        for pattern in (r"\sstyle=", r"<style\b", r"\son[a-z]+=", r"\shx-on", r"javascript:"):
            if re.search(pattern, text):
                found.append(f"{path.name}: {pattern}")
    assert found == []
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY + ";"


def test_anonymous_visitors_cannot_reach_the_admin(client):
    response = Client().get("/admin/workshop/participant/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
