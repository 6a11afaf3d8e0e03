"""Votes from many phones stored in batches, each acknowledged after its
batch commits (live/batcher.py says why): a room upvotes in bursts, and
services.cast_votes stores a batch in one transaction."""

from __future__ import annotations

from live.batcher import Batcher, BatcherPerLoop

from . import services

# Looked up at each batch, so that the store is always the service's own.
_per_loop = BatcherPerLoop(lambda votes: services.cast_votes(votes), "votes")


def get_batcher() -> Batcher:
    """The votes' batcher of the running event loop."""
    return _per_loop.get()
