"""Answers from many phones stored in batches, each acknowledged after its
batch commits (live/batcher.py says why): services.submit_answers stores a
batch with a constant number of queries."""

from __future__ import annotations

from live.batcher import Batcher, BatcherPerLoop

from . import services

# Looked up at each batch, so that the store is always the service's own.
_per_loop = BatcherPerLoop(lambda answers: services.submit_answers(answers), "answers")


def get_batcher() -> Batcher:
    """The answers' batcher of the running event loop."""
    return _per_loop.get()
