"""Readiness: can this process serve people right now?

Each check answers only "ok" or "failing": never an error text, a host name, a path, an id or a
count about people, because a load balancer, a status page or an attacker may read the answer.
Why a check failed goes to the log (``mentorhaven.operations``), for the operator.

Why not django-health-check: its JSON names each failing check's error message, which can carry a
database host, a file path or a Redis URL; ours must say nothing beyond ok/failing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from mentorhaven.kernel.models import AuditEvent

logger = logging.getLogger("mentorhaven.operations")

OK, FAILING = "ok", "failing"


def sealer_lag_bound() -> float:
    """Seconds the oldest unsealed audit event may wait before the process is not ready."""
    from mentorhaven.kernel.audit import PENDING_GRACE_SECONDS

    return float(getattr(settings, "READY_SEALER_LAG_SECONDS", None) or PENDING_GRACE_SECONDS)


def sealer_lag_seconds() -> float:
    """Age of the oldest audit event the sealer has not chained yet (0 when none waits).

    One look at the partial index of pending rows, as the sealer itself does."""
    oldest = (
        AuditEvent.objects.filter(seq__isnull=True)
        .order_by("id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if oldest is None:
        return 0.0
    return max((timezone.now() - oldest) / timedelta(seconds=1), 0.0)


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_redis() -> bool:
    import redis

    client = redis.Redis.from_url(
        str(settings.REDIS_URL), socket_timeout=2, socket_connect_timeout=2
    )
    try:
        return bool(client.ping())
    finally:
        client.close()


def key_files() -> list[str]:
    """The key files this process needs to read (the master key and the audit signing key)."""
    found = [getattr(settings, "MASTER_KEY_FILE", None), settings.AUDIT_SIGNING_KEY_FILE]
    return [path for path in found if path]


def check_keys() -> bool:
    # A development key that is created on first use may not exist yet: that is not "unready".
    # In production both files must exist (settings refuse to start otherwise) and be readable.
    for path in key_files():
        if not os.path.exists(path):
            if settings.PRODUCTION:
                return False
            continue
        if not os.access(path, os.R_OK):
            return False
    return True


def check_audit_sealer() -> bool:
    return sealer_lag_seconds() <= sealer_lag_bound()


def checks() -> dict[str, Callable[[], bool]]:
    found: dict[str, Callable[[], bool]] = {"database": check_database}
    if settings.REDIS_URL:
        found["redis"] = check_redis
    found["keys"] = check_keys
    found["audit_sealer"] = check_audit_sealer
    return found


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; returns (ready, {check: "ok" | "failing"}). A check that depends on the
    database is failing, not skipped, when the database is away."""
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            passed = check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            passed = False
        if not passed:
            logger.warning("readiness check %s is failing", name)
        results[name] = OK if passed else FAILING
    return all(value == OK for value in results.values()), results
