"""WebSocket routes; each app that speaks over a socket adds its patterns here."""

websocket_urlpatterns: list = []
