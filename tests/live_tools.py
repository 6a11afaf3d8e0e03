"""Helpers for tests that drive a real server (tests/live_server.py) without a
browser: set up a session through manage.py, then talk to the server over HTTP
and websockets the way phones and the control view do."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from .live_server import LiveServer

_SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from workshop import identity, services
from workshop.models import WorkshopTemplate

user = get_user_model().objects.get(username={username!r})
template = (WorkshopTemplate.objects.get(slug={template!r}) if {template!r}
            else WorkshopTemplate.objects.order_by("id").first())
session = services.create_session(template, user, group_count={groups})
if {mode!r} != "balanced":
    services.configure_groups(session, user, names=[g.name for g in session.groups.all()],
                              mode={mode!r})
people = []
for n in range({participants}):
    p = services.join_session(session.code, nickname=f"{prefix}{{n}}")
    people.append({{"nickname": p.nickname, "id": p.pk,
                   "cookie": identity.cookie_name(session.code) + "="
                   + identity._signer(session.code).sign(str(p.public_id))}})
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(json.dumps({{"id": session.pk, "code": session.code, "public_id": str(session.public_id),
                  "participants": people, "sessionid": store.session_key,
                  "steps": [s.title for s in session.ordered_steps()]}}))
"""


@dataclass
class LiveSession:
    server: LiveServer
    id: int
    code: str
    public_id: str
    participants: list[dict]
    sessionid: str
    steps: list[str]
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def ws_base(self) -> str:
        return self.server.url.replace("http://", "ws://")

    @property
    def origin(self) -> str:
        return self.server.url

    def participant_url(self) -> str:
        return f"{self.ws_base}/ws/participant/{self.code}/"

    def control_url(self) -> str:
        return f"{self.ws_base}/ws/control/{self.public_id}/"

    def screen_url(self) -> str:
        return f"{self.ws_base}/ws/screen/{self.public_id}/"

    def facilitator_cookie(self) -> str:
        return f"sessionid={self.sessionid}; csrftoken={self.csrf}"

    def post(self, action: str, data: dict[str, str], *, htmx: bool = True) -> int:
        """A facilitator action on the control view, as htmx sends it."""
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.server.url}/facilitate/{self.public_id}/{action}",
            data=urllib.parse.urlencode(data).encode(),
            headers={
                "Cookie": self.facilitator_cookie(),
                "X-CSRFToken": self.csrf,
                **({"HX-Request": "true"} if htmx else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status

    def go_to(self, title: str) -> None:
        """Move the show straight in the database, as another process would
        (the server is down, say): only a snapshot can tell the phones."""
        self.server.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from workshop import services;"
            "from workshop.models import WorkshopSession as S;"
            f"s = S.objects.get(pk={self.id});"
            f"step = s.ordered_steps().get(title={title!r});"
            "services.go_to_step(s, step.pk, get_user_model().objects.get(username='facilitator'))",
        )

    def quiz(self, do: str) -> int:
        """A quiz action on the current question step ("open", "close", ...)."""
        return self.post("quiz", {"do": do})

    def query(self, expression: str) -> str:
        """Evaluate an expression in a manage.py shell of the server; ``S`` is
        this session, ``Answer`` the quiz answers."""
        out = self.server.manage(
            "shell",
            "-c",
            "from workshop.models import WorkshopSession;"
            "from quizzes.models import Answer, QuestionRun;"
            f"S = WorkshopSession.objects.get(pk={self.id});"
            f"print({expression})",
        )
        return out.strip().splitlines()[-1]

    def current_step(self) -> str:
        out = self.server.manage(
            "shell",
            "-c",
            "from workshop.models import WorkshopSession as S;"
            f"print(S.objects.get(pk={self.id}).current_step.title)",
        )
        return out.strip()


def make_session(
    server: LiveServer,
    *,
    participants: int = 0,
    groups: int = 2,
    mode: str = "balanced",
    prefix: str = "Phone ",
    username: str = "facilitator",
    template: str = "",
) -> LiveSession:
    out = server.manage(
        "shell",
        "-c",
        _SETUP.format(
            username=username,
            groups=groups,
            mode=mode,
            participants=participants,
            prefix=prefix,
            template=template,
        ),
    )
    data = json.loads(out.strip().splitlines()[-1])
    return LiveSession(server=server, **data)
