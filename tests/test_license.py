"""The licence we declare is the licence we ship."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_license_file_is_the_declared_agpl():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    text = (ROOT / "LICENSE").read_text()
    assert declared == "AGPL-3.0-or-later"
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007")
    # The whole text, not a stub: all 17 sections up to the end of the terms.
    assert "17. Interpretation of Sections 15 and 16." in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
