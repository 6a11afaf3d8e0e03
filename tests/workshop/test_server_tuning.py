"""The serving process turns off two costs of daphne's stack
(workshop/server_tuning.py); a new release of Twisted, daphne or autobahn
could bring them back, or break the way they are turned off."""

from __future__ import annotations

import pprint

from autobahn.websocket import protocol
from daphne.http_protocol import WebRequest

import workshop.asgi  # noqa: F401  (installs the tuning, as the server does)

# A real daphne still hands a form POST's body to Django whole: every join
# of the live-server tests (tests/live_server.py) is one.


def test_twisted_no_longer_parses_form_bodies_that_daphne_never_reads():
    request = WebRequest.__new__(WebRequest)
    request._parsePOSTFormSubmission = True  # what Twisted's __init__ writes
    assert request._parsePOSTFormSubmission is False


def test_autobahn_pretty_prints_for_its_debug_log_only_when_formatted():
    settings = [("autoPingInterval", 0, "Factory")]
    deferred = protocol.pformat(settings)
    assert not isinstance(deferred, str)
    # As the log formats its line: a format string with a named field.
    assert "{attrs}".format(attrs=deferred) == pprint.pformat(settings)  # noqa: UP032


def test_autobahn_timings_still_print_as_text():
    timings = protocol.Timings()
    timings.track("onOpen")
    assert isinstance(str(timings), str) and "onOpen" in str(timings)
