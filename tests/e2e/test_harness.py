"""The harness itself: a missing Chromium is a loud skip locally and a failure under CI."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import MISSING_CHROMIUM, require_chromium


def test_missing_chromium_skips_loudly_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as raised:
        require_chromium(str(tmp_path / "no-chromium"))
    assert MISSING_CHROMIUM in str(raised.value)


def test_missing_chromium_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_chromium(str(tmp_path / "no-chromium"))


def test_present_chromium_is_used(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("")
    assert require_chromium(str(chromium)) == str(chromium)
