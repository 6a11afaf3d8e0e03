from __future__ import annotations

import pytest

from qna import services as qna
from workshop import services


@pytest.fixture
def live_session(session, facilitator):
    services.start_session(session, facilitator)
    session.refresh_from_db()
    return session


@pytest.fixture
def asker(live_session):
    return services.join_session(live_session.code, nickname="Amina", language="fr")


@pytest.fixture
def voter(live_session):
    return services.join_session(live_session.code, nickname="Bram", language="nl")


@pytest.fixture
def shown(live_session, facilitator, asker):
    """A question the facilitator approved."""
    question = qna.ask_question(asker, "Why do people migrate?")
    return qna.approve(live_session, facilitator, question.pk)
