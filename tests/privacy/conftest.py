"""Privacy fixtures."""

from __future__ import annotations

import pytest

from mentorhaven.kernel import vault


@pytest.fixture(autouse=True)
def _fresh_vault_cache():
    # Database rows roll back between tests but the vault's in-process key cache does not, and
    # SQLite reuses primary keys: start each test with an empty cache.
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()
