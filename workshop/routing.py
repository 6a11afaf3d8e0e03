from django.urls import re_path

from .consumers import LiveConsumer

websocket_urlpatterns = [
    re_path(r"^ws/(?P<role>screen|control)/(?P<key>[0-9a-f-]{36})/$", LiveConsumer.as_asgi()),
    re_path(r"^ws/(?P<role>participant)/(?P<key>[A-Z0-9]{6})/$", LiveConsumer.as_asgi()),
]
