"""Start-up stays light: a process that never runs a match or adds noise to a report loads
neither SciPy, scikit-learn nor OpenDP (each costs a web worker, the sealer and every test
worker a fraction of a second or more at start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import django
django.setup()
import mentorhaven.urls
import mentorhaven.matching
import mentorhaven.matching.assignment
print(" ".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded_after_setup(heavy: tuple[str, ...]) -> set[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorhaven.settings",
        "MENTORHAVEN_ENV": "test",
        # this checkout, whichever one the virtualenv was installed from
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(done.stdout.split())


def test_django_setup_and_the_whole_url_tree_do_not_load_scipy_scikit_learn_or_opendp():
    assert _loaded_after_setup(("scipy", "sklearn", "opendp")) == set()


def test_the_probe_can_see_a_heavy_library_when_one_is_loaded():
    # the probe is not blind: modules that are loaded are reported
    assert _loaded_after_setup(("json", "django")) == {"json", "django"}


def test_the_matching_names_still_resolve_on_first_use():
    import mentorhaven.matching as matching

    assert matching.assign_exact.__module__ == "mentorhaven.matching.assignment.exact"
    assert callable(matching.assign) and float("-inf") == matching.INFEASIBLE
