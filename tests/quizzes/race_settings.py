"""Settings for the parallel-answers check: as the project's, but a SQLite
test database in a file (the default in-memory one allows no concurrent
writers at all, which would test nothing)."""

import os

from workshop.settings import *  # noqa: F403
from workshop.settings import DATABASES

if "DATABASE_URL" not in os.environ:  # the embedded default: SQLite
    DATABASES["default"]["TEST"] = {"NAME": os.environ["QUIZ_RACE_SQLITE"]}
