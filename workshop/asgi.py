"""ASGI entry point: HTTP through Django, websockets through Channels.

HTTP requests run on the process's database thread (SQLite) or a small pool
of threads (PostgreSQL), never on a thread each (workshop/http_threads.py).
Websockets sit behind the Origin check (AllowedHostsOriginValidator); the
control socket also behind the session/auth middleware, so that it knows its
facilitator (live/routing.py).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")
django.setup(set_prefix=False)

from . import server_tuning  # noqa: E402
from .http_threads import OwnThreadsASGIHandler  # noqa: E402

server_tuning.install()

# Django's own handler, but on threads of the process's (workshop/http_threads.py).
django_asgi_app = OwnThreadsASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402
from slides.asgi import MediaFiles  # noqa: E402

from .middleware import SameOriginWebsocketValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Slide images straight from the disk: no Django thread (slides/asgi.py).
        "http": MediaFiles(django_asgi_app),
        "websocket": SameOriginWebsocketValidator(
            AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
        ),
    }
)
