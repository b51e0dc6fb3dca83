"""Form widgets of our own, where Django's stock ones cost too much."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECTED = mark_safe(" selected")


class LongSelect(forms.Select):
    """A flat select of many options (the ~600 time zones, a program's mentors).

    Django's own select draws every option through two included templates, about half a
    millisecond an option on our machine: the time zones alone took most of the profile page's
    time, and a program's mentors most of the coordinator's relationship page
    (``benchmarks/profile_pages.py``). The same markup, escaped the same way, is joined here in
    one pass. Flat lists only: no option groups, no attributes on single options."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], SELECTED if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', name, flatatt(widget["attrs"]), options
        )
