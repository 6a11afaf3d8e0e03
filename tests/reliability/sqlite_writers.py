"""40 (or N) concurrent writers on a SQLite file with the project's settings.

Run as a script by test_sqlite.py, in its own process, on a fresh database
file: ``python -m tests.reliability.sqlite_writers N``. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import threading
import time


def main(writers: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections

    from workshop import services
    from workshop.models import Step, WorkshopTemplate

    template = WorkshopTemplate.objects.create(slug="contention", title="Contention")
    Step.objects.create(template=template, position=1, kind="lobby", title="Welcome")
    user = get_user_model().objects.create_user("host", is_staff=True)
    session = services.create_session(template, user, group_count=4)

    barrier = threading.Barrier(writers)
    errors: list[str] = []
    joined: list[int] = []
    seconds: list[float] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            started = time.perf_counter()
            participant = services.join_session(session.code, nickname=f"Writer {n}")
            # A read-then-write right after: the pattern DEFERRED transactions fail on.
            services.set_participant_language(participant, ("en", "fr", "nl")[n % 3])
            seconds.append(time.perf_counter() - started)
            joined.append(participant.pk)
        except Exception as error:  # noqa: BLE001 - counted and reported
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "writers": writers,
                "stored": session.participants.count(),
                "joined": len(joined),
                "locked": sum("database is locked" in e for e in errors),
                "errors": errors,
                "slowest_seconds": round(max(seconds or [0]), 3),
                "journal_mode": _journal_mode(),
            }
        )
    )


def _journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
