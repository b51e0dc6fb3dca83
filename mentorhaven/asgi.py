"""ASGI entry point: HTTP through Django, WebSockets through Channels (one uvicorn process)."""

import asyncio
import contextvars
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from django.conf import settings  # noqa: E402

from mentorhaven.web.asgi_handler import SyncStackASGIHandler  # noqa: E402

# Django's ASGI handler with the middleware chain in one worker thread per request, taken from
# a fixed set (mentorhaven/web/asgi_handler.py).
django_asgi_app = SyncStackASGIHandler(threads=settings.WEB_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from mentorhaven.routing import websocket_urlpatterns  # noqa: E402


async def http_app(scope, receive, send):
    """Django, in a context of its own for each request.

    uvicorn starts a request that arrived on a keep-alive connection while the previous one was
    still finishing (a streamed download's body goes out before its request ends) from inside
    that previous request, so it would inherit its context variables, among them Django's slot
    for the request's database connection: the two requests wrote the same slot and one pooled
    connection was never given back (tests/files/test_keep_alive.py)."""
    await asyncio.create_task(django_asgi_app(scope, receive, send), context=contextvars.Context())


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
