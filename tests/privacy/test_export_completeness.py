"""Nothing about a person is left out of their export by accident: every model reachable from
the user model is written by an export section or excluded with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from mentorhaven.mentoring.models import Note
from mentorhaven.privacy.export import completeness, registry


def test_every_model_reachable_from_a_person_is_exported_or_excluded():
    assert completeness.missing() == {}


def test_the_walk_follows_hidden_relations_and_many_to_many_tables():
    found = {m._meta.label for m in completeness.reachable_models()}
    # MatchPair's links to people are hidden (related_name="+"); the groups table is implicit.
    assert {"matching.MatchPair", "accounts.User_groups", "privacy.ExportJob"} <= found
    assert {"messaging.Message", "files.ShareLinkAccess"} <= found  # two and three hops away


def test_every_exclusion_names_a_real_model_and_gives_a_reason():
    reachable = {m._meta.label_lower for m in completeness.reachable_models()}
    for label, reason in registry.EXCLUDED.items():
        assert label in reachable, f"{label} is excluded but not linked to a person"
        assert len(reason) > 20


@isolate_apps("mentorhaven.privacy")
def test_a_new_model_linked_to_the_user_fails_until_it_is_exported_or_excluded(monkeypatch):
    class Diary(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

        class Meta:
            app_label = "privacy"

    assert list(completeness.missing([Diary])) == ["privacy.Diary"]
    monkeypatch.setattr(registry, "EXCLUDED", {**registry.EXCLUDED})
    registry.exclude("privacy.Diary", "a test model that holds nothing")
    assert completeness.missing([Diary]) == {}


@isolate_apps("mentorhaven.privacy")
def test_a_model_linked_to_the_user_only_through_another_model_is_found(monkeypatch):
    class NoteReaction(models.Model):  # noqa: DJ008
        note = models.ForeignKey(Note, on_delete=models.CASCADE)

        class Meta:
            app_label = "privacy"

    assert list(completeness.missing([NoteReaction])) == ["privacy.NoteReaction"]
    monkeypatch.setattr(registry, "SECTIONS", {**registry.SECTIONS})
    registry.register(
        registry.Section(
            key="reactions", title="Reactions", models=("privacy.NoteReaction",), rows=list
        )
    )
    assert completeness.missing([NoteReaction]) == {}
