"""WebSocket routes; each app that speaks over a socket adds its patterns here."""

from mentorhaven.messaging.routing import websocket_urlpatterns as messaging_ws

websocket_urlpatterns: list = [*messaging_ws]
