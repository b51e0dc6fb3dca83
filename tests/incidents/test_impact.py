"""Impact analysis: from a generated audit log whose answer is computed independently, the
analysis names exactly the people whose data the compromised account (or a time window)
touched, with their categories and event counts; the CLI prints it as JSON; bad input is a
clear error; the run is audited."""

from __future__ import annotations

import io
import json
import random
from collections import defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.incidents.impact import build_query, impact_analysis
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.models import AuditEvent

pytestmark = pytest.mark.django_db

CATEGORIES = ["personal", "platform", "program", "professional", "analytical"]
START = timezone.now().replace(microsecond=0) - timedelta(days=10)


@pytest.fixture
def log(personas):
    """400 events between the personas at known times: who read whose data of which category.
    Returns the list of (actor, subject, category, hours after START)."""
    rng = random.Random(12)
    people = [personas.ana, personas.ben, personas.cara, personas.dev, personas.coordinator]
    made = []
    for _ in range(400):
        actor, subject = rng.sample(people, 2)
        category = rng.choice(CATEGORIES)
        hours = rng.randrange(0, 240)
        with time_machine.travel(START + timedelta(hours=hours, minutes=1), tick=False):
            audit.record(
                action="test.read", actor=actor, subject=subject, category=category,
                purpose="generated",
            )  # fmt: skip
        made.append((actor, subject, category, hours))
    return made


def expected(log, *, actor=None, since=None, until=None, categories=()):
    found: dict[str, dict] = defaultdict(lambda: {"categories": set(), "events": 0})
    for a, subject, category, hours in log:
        if actor is not None and a != actor:
            continue
        if since is not None and hours < since:
            continue
        if until is not None and hours >= until:
            continue
        if categories and category not in categories:
            continue
        found[subject.email]["categories"].add(category)
        found[subject.email]["events"] += 1
    return {e: (sorted(v["categories"]), v["events"]) for e, v in found.items()}


def answer(result):
    return {row["email"]: (row["categories"], row["events"]) for row in result["subjects"]}


def run(**kwargs):
    query = build_query(**kwargs)
    return impact_analysis(actor=None, query=query, candidates=User.objects.all())


END = START + timedelta(hours=239, minutes=30)  # the personas' own set-up events come later


def test_a_compromised_accounts_events_name_exactly_whom_it_touched(log, personas):
    result = run(account_email=personas.ana.email, until=END.isoformat())
    assert answer(result) == expected(log, actor=personas.ana)
    assert result["events"] == sum(1 for a, *_ in log if a == personas.ana)
    assert personas.ana.email not in answer(result)  # nobody read their own data here


def test_a_window_and_categories_narrow_it(log, personas):
    since, until = START + timedelta(hours=48), START + timedelta(hours=120)
    result = run(
        account_email=personas.ben.email,
        since=since.isoformat(),
        until=until.isoformat(),
        categories=["personal", "platform"],
    )
    want = expected(
        log, actor=personas.ben, since=48, until=120, categories=("personal", "platform")
    )
    assert answer(result) == want and want


def test_a_window_without_an_account_covers_every_actor(log):
    result = run(since=(START + timedelta(hours=200)).isoformat(), until=END.isoformat())
    assert answer(result) == expected(log, since=200)


def test_erased_people_are_counted_not_named(log, personas):
    touched = expected(log, actor=personas.ana)
    vault.shred(personas.cara)
    result = run(account_email=personas.ana.email, until=END.isoformat())
    assert personas.cara.email not in answer(result)
    assert result["unidentified_events"] == touched[personas.cara.email][1]


def test_the_analysis_is_audited_with_counts_only(log, personas):
    result = run(account_email=personas.ana.email)
    event = AuditEvent.objects.get(action="incident.impact")
    assert event.extra == {"subjects": len(result["subjects"]), "events": result["events"]}
    assert event.subject == ""  # the account under investigation is not told by its access log


def test_the_command_prints_the_json_the_issue_names(log, personas):
    out = io.StringIO()
    call_command(
        "incident", "impact", "--account", personas.ana.email, "--to", END.isoformat(), "--json",
        stdout=out,
    )  # fmt: skip
    printed = json.loads(out.getvalue())
    assert answer(printed) == expected(log, actor=personas.ana)
    row = printed["subjects"][0]
    assert set(row) == {"email", "categories", "events"}


@pytest.mark.parametrize(
    "args",
    [
        ["--account", "nobody@nowhere.test"],
        ["--from", "last tuesday"],
        ["--from", "2026-12-02", "--to", "2026-12-01"],
        ["--from", "2026-12-01", "--category", "secrets"],
        [],
    ],
)
def test_bad_input_is_a_clear_error(personas, args):
    with pytest.raises(CommandError):
        call_command("incident", "impact", *args, "--json", stdout=io.StringIO())


def test_build_query_refuses_an_unbounded_analysis():
    with pytest.raises(ValidationFailed):
        build_query()
