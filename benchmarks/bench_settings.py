"""Settings for benchmarks only: the real settings plus a URLconf with a bare view."""

from mentorhaven.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
