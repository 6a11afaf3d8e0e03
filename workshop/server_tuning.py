"""Two costs that daphne's stack pays on every connection for nothing, turned
off in the serving process (workshop/asgi.py installs them).

Measured with py-spy during a join storm of 2,000 phones (docs/performance.md):

- Twisted parses the body of every form POST into ``request.args``, and
  parses its Content-Type header with the email package to do so. Daphne
  never reads ``request.args``: it hands the raw body to Django, which parses
  it again. That was 2.9 % of the server's time, all on the event loop.
- autobahn pretty-prints every new websocket's settings for a debug log line
  before the logger decides whether anyone wants it: 1.8 %. Here the
  printing waits until a log observer formats the line, if one ever does.
"""

from __future__ import annotations

import pprint
from typing import Any


class _PrettyWhenFormatted:
    """Stands for ``pprint.pformat(value)`` in a log call's arguments."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    __repr__ = __str__


def install() -> None:
    from autobahn.websocket import protocol
    from daphne.http_protocol import WebRequest

    # Twisted's Request sets the flag in __init__; this keeps it off.
    WebRequest._parsePOSTFormSubmission = property(lambda self: False, lambda self, value: None)
    if protocol.pformat is pprint.pformat:
        # The module's one pformat that must return a str (Timings.__str__)
        # keeps the real one; the others only feed log.debug calls.
        protocol.Timings.__str__ = lambda self: pprint.pformat(self._timings)
        protocol.pformat = _PrettyWhenFormatted
