"""LongSelect draws the same select as Django's own, in one pass."""

from __future__ import annotations

from django import forms

from mentorhaven.widgets import LongSelect

CHOICES = [("a<b", "A & B"), ("x", "X"), ("", "—")]


class Stock(forms.Form):
    zone = forms.ChoiceField(choices=CHOICES, required=False)


class Long(forms.Form):
    zone = forms.ChoiceField(choices=CHOICES, required=False, widget=LongSelect)


def _lines(html: str) -> list[str]:
    return [line.strip() for line in str(html).splitlines() if line.strip()]


def test_the_markup_matches_djangos_select_escaped_and_with_the_choice_selected():
    for data in ({"zone": "a<b"}, {"zone": "x"}, {}):
        assert _lines(Long(data)["zone"]) == _lines(Stock(data)["zone"])
    html = str(Long({"zone": "a<b"})["zone"])
    assert '<option value="a&lt;b" selected>A &amp; B</option>' in html
    assert "<script" not in str(Long({"zone": "<script>"})["zone"])


def test_attributes_render_like_djangos():
    widget = LongSelect(attrs={"required": True, "disabled": False, "class": "wide"})
    html = widget.render("zone", "x")
    assert 'name="zone"' in html and " required" in html and 'class="wide"' in html
    assert "disabled" not in html
