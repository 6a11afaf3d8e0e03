"""The live machinery: every screen of a session follows it over websockets.

Feature apps (quizzes, the SDG exercise, ...) build on it with these calls,
all safe to import while Django is still loading:

- ``register_topic(topic, regions, delay=0.0)``: which (audience, region)
  pairs re-render when ``topic`` changes (``extend_topic`` adds to one);
- ``register_region(audience, name, template)``: a part of a page that
  changes while a session runs;
- ``register_action(name, roles=...)``: a message a socket may send, and
  the coroutine that handles it;
- ``register_background(factory)``: a coroutine every server process runs
  beside its hub (a timer that must fire though nobody clicks);
- ``register_deadlines(kind, expire=..., pending=...)`` and
  ``announce_deadline(kind, id, closes_at)``: every server process closes a
  timed thing at its deadline (``deadlines``);
- ``changed(session_id, *topics)``: after the current transaction commits,
  tell every server process that ``topics`` changed.

Inside, in the order a change travels: ``changes`` (announced after commit,
one message per change through the channel layer), ``hub`` (one per server
process: renders each audience once and fans it out), ``regions`` (one
template per region, for page loads, snapshots and pushes alike) and
``consumers`` (the one websocket consumer: authorises, sends a snapshot,
validates messages and dispatches them to ``actions``). ``presence`` counts
who is connected; ``quiet_gc`` keeps full garbage collections out of fan-outs.
"""

from .actions import register_action
from .audiences import CONTROL, PARTICIPANT, SCREEN, Audience, register_region
from .background import register_background
from .changes import achanged, changed, extend_topic, register_topic
from .deadlines import announce as announce_deadline
from .deadlines import register_deadlines

__all__ = [
    "Audience",
    "CONTROL",
    "PARTICIPANT",
    "SCREEN",
    "achanged",
    "announce_deadline",
    "changed",
    "extend_topic",
    "register_action",
    "register_background",
    "register_deadlines",
    "register_region",
    "register_topic",
]
