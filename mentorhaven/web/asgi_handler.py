"""Django's ASGI handler, shaped for a project whose middleware and views are all synchronous.

Django's own ``ASGIHandler`` does two things per request that cost more than a signed-in page's
queries on a small machine, and neither buys anything here:

* It loads the middleware chain in async mode. Our chain has synchronous middleware (ours,
  Django's, allauth's), so Django wraps the view handler in ``async_to_sync`` under the last
  of them and every request crosses from its worker thread back to the event loop and out
  again (and ``MiddlewareMixin`` would hop once per hook if the chain were async). Here the
  chain is loaded in sync mode, exactly as under WSGI, and a request enters it with one
  ``sync_to_async`` call.
* It gives every request a thread-sensitive context with a new single-thread executor: a
  thread started and joined per request. Here a request borrows one of a fixed set of
  single-thread executors (asgiref's ``ThreadSensitiveContext(executor=...)``) and gives it
  back when its response has gone out. Everything Django and its apps make thread-sensitive
  still runs on one thread for the whole request, as Django requires; threads are reused
  between requests as under any threaded WSGI server, which Django is built for.

The set has ``MENTORHAVEN_WEB_THREADS`` executors per process (default 4): at most that many
requests run their Python code at once in a process, the others wait for a thread before their
body is read, so a burst of requests cannot start an unbounded number of threads. A slow
request (a large export) holds one thread, not the process.

Nothing about authentication, sessions or middleware changes: the same chain runs in the same
order with the same code. Measured with ``benchmarks/bench_pages.py`` (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncStackASGIHandler(ASGIHandler):
    def __init__(self, threads: int):
        if threads < 1:
            raise ValueError("the web process needs at least one request thread")
        self.threads = threads
        # One set per event loop (a server has one; tests may start several in turn), since an
        # asyncio queue belongs to the loop it first waited in.
        self._idle: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Queue[ThreadPoolExecutor]
        ] = weakref.WeakKeyDictionary()
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # The chain runs in a worker thread as it would under WSGI (see the module's docstring).
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    def _executors(self) -> asyncio.Queue[ThreadPoolExecutor]:
        loop = asyncio.get_running_loop()
        idle = self._idle.get(loop)
        if idle is None:
            idle = self._idle[loop] = asyncio.Queue()
            for number in range(self.threads):
                idle.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-{number}")
                )
        return idle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}")
        idle = self._executors()
        executor = await idle.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            idle.put_nowait(executor)
