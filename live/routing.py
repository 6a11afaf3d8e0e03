from channels.auth import AuthMiddlewareStack
from channels.sessions import CookieMiddleware
from django.urls import re_path

from .consumers import LiveConsumer

live = LiveConsumer.as_asgi()

# Only the control view needs to know who is signed in. The session and auth
# middleware wrap every message a socket sends (to save a modified session),
# which on a fan-out to 1,000 phones was a fifth of the cost of each push;
# phones need their cookies only (the signed participant id), the projector
# nothing but its unguessable session id.
websocket_urlpatterns = [
    re_path(r"^ws/(?P<role>control)/(?P<key>[0-9a-f-]{36})/$", AuthMiddlewareStack(live)),
    re_path(r"^ws/(?P<role>screen)/(?P<key>[0-9a-f-]{36})/$", live),
    re_path(r"^ws/(?P<role>participant)/(?P<key>[A-Z0-9]{6})/$", CookieMiddleware(live)),
]
