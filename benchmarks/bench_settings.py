"""Settings for benchmarks only: the real settings plus a URLconf with a bare view."""

from mentorhaven.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
# A run lasts longer than allauth's five minutes of "recent sign-in": pages behind
# re-authentication (second-factor settings) are measured as rendered, not as redirects.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 24 * 3600
