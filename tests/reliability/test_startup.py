"""The core's live topics exist in every process, not only in one that has
imported the views: a management command that changes groups must not fail."""

import subprocess
import sys

from ..live_server import ROOT

CHECK = (
    "import django; django.setup(); from live import changes; "
    "missing = {'step', 'session', 'members', 'room', 'presence'} - set(changes.TOPIC_REGIONS); "
    "assert not missing, missing"
)


def test_live_topics_are_registered_when_django_starts():
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "workshop.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
