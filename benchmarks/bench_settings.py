"""Settings for benchmarks only: the real settings plus a URLconf with a bare view."""

from mentorhaven.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
