"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets sit behind the Origin check (AllowedHostsOriginValidator); the
control socket also behind the session/auth middleware, so that it knows its
facilitator (workshop/routing.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from .middleware import SameOriginWebsocketValidator  # noqa: E402
from .routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginWebsocketValidator(
            AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
        ),
    }
)
