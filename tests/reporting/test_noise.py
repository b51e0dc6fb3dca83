"""Optional differential privacy for counts: OpenDP's discrete Laplace noise on every released
count, the budget spent logged and shown, and no count once the budget is spent."""

from __future__ import annotations

import statistics

import pytest
from django.urls import reverse

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.reporting import noise, services
from mentorhaven.reporting.access import access_program_report
from mentorhaven.reporting.dashboard import ProgramCounts, health
from mentorhaven.reporting.models import ReportingPolicy
from tests.reporting.world import grow

MONTHS = ["2026-01", "2026-02"]
COUNTS = ProgramCounts(
    mentees=40,
    mentors=3,
    statuses={"active": 30, "proposed": 12},
    started_by_month={"earlier": 10, "2026-01": 20, "2026-02": 0},
    pairs=30,
)


def test_the_scale_spends_exactly_the_epsilon_of_one_view():
    for epsilon, counts in ((0.5, 10), (1.0, 3), (0.1, 25)):
        scale = noise.scale_for(epsilon, counts)
        assert noise.epsilon_of(scale, counts) == pytest.approx(epsilon)


def test_noise_touches_released_counts_only_and_stays_within_statistical_bounds():
    base = health(COUNTS, k=5, months=MONTHS)
    assert base.participants.cells["mentor"] is None  # 3 < k
    scale = 2.0
    draws = [noise.with_noise(base, scale=scale) for _ in range(300)]
    for noisy in draws:
        assert noisy.participants.cells["mentor"] is None  # noise never un-hides a cell
        assert noisy.participants.cells["mentee"] is None  # its complement too
        value = noisy.relationships.cells["active"]
        # P(|noise| > 40 * scale) < e^-40 for the discrete Laplace: never, in practice.
        assert value is not None and abs(value - 30) <= 40 * scale
    values = [d.relationships.cells["active"] for d in draws]
    # The mean of 300 draws is within 1 of the truth far more often than 1 in 10^6 fails.
    assert abs(statistics.mean(values) - 30) < 1.5
    assert len(set(values)) > 3  # it is noise, not a constant


@pytest.fixture
def dp_program(personas):
    grow(personas.program, 12)
    ReportingPolicy.objects.create(
        organization=personas.org, dp_enabled=True, dp_epsilon_per_view=0.5, dp_budget=1.0
    )
    return personas


def test_each_view_spends_budget_until_counts_stop(dp_program, db):
    scope = access_program_report(dp_program.coordinator, dp_program.program.public_id)
    first = services.health_release(actor=dp_program.coordinator, scope=scope)
    second = services.health_release(actor=dp_program.coordinator, scope=scope)
    assert first.budget is not None and first.budget.epsilon == pytest.approx(0.5)
    assert second.budget is not None and second.budget.spent == pytest.approx(1.0)
    assert second.health.participants.total is not None
    third = services.health_release(actor=dp_program.coordinator, scope=scope)
    assert third.budget is not None and third.budget.exhausted
    assert third.health.participants.total is None
    assert all(v is None for v in third.health.relationships.cells.values())
    assert third.health.satisfaction is not None  # bands are not counts
    events = AuditEvent.objects.filter(action="report.dp_spent").order_by("pk")
    assert [e.extra["spent_ppm"] for e in events] == [500_000, 1_000_000]
    assert ReportingPolicy.objects.get().dp_spent == pytest.approx(1.0)


def test_the_dashboard_says_what_was_spent(dp_program, login, client):
    login(dp_program.coordinator)
    url = reverse("reporting:dashboard", kwargs={"program_id": dp_program.program.public_id})
    assert "This view spent ε = 0.50" in client.get(url).content.decode()
    client.get(url)
    assert "privacy budget is spent" in client.get(url).content.decode()


def test_org_admins_turn_it_on(personas, login, client):
    login(personas.org_admin)
    url = reverse("reporting:policy", kwargs={"org_id": personas.org.public_id})
    response = client.post(
        url, {"form": "privacy", "dp_enabled": "on", "epsilon_per_view": "0.2", "budget": "5"}
    )
    assert response.status_code == 302
    policy = ReportingPolicy.objects.get(organization=personas.org)
    assert (policy.dp_enabled, policy.dp_epsilon_per_view, policy.dp_budget) == (True, 0.2, 5.0)
