"""The core's live topics exist in every process, not only in one that has
imported the views: a management command that changes groups must not fail."""

from ..live_server import run_fresh_python

CHECK = (
    "import django; django.setup(); from live import changes; "
    "missing = {'step', 'session', 'members', 'room', 'presence'} - set(changes.TOPIC_REGIONS); "
    "assert not missing, missing"
)


def test_live_topics_are_registered_when_django_starts():
    result = run_fresh_python(CHECK)
    assert result.returncode == 0, result.stderr
