"""The retention page: org admins see what will be deleted and why (k-anonymous), change
periods within bounds and place or release holds; others get 404 or a read-only view."""

from __future__ import annotations

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.retention.models import LegalHold, RetentionPolicy


def test_org_admin_sees_forecast_policies_and_holds(ended, personas, login):
    page = login(personas.org_admin).get("/retention/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Deleted in the next 30 days" in html and "Legal holds" in html
    # 7 messages of one relationship: too few relationships to show, so the count is hidden.
    assert "a few (too few to show)" in html
    assert ">7<" not in html


def test_forecast_counts_show_when_the_group_is_large_enough(ended, personas, monkeypatch):
    from mentorhaven.retention import selectors

    monkeypatch.setattr(selectors, "DEFAULT_MIN_GROUP_SIZE", 1)
    rows = {
        r.kind: r
        for r in selectors.forecast_for(viewer=personas.org_admin, organization=personas.org)
    }
    assert (rows["messages"].count, rows["messages"].groups) == (7, 1)
    assert (rows["notes"].count, rows["notes"].groups) == (2, 1)
    other = selectors.forecast_for(viewer=personas.outsider, organization=personas.other_org)
    assert all(r.count == 0 for r in other)


def test_period_is_changed_within_bounds_only(personas, login):
    client = login(personas.org_admin)
    url = f"/retention/{personas.org.public_id}/policy"
    client.post(url, {"kind": "messages", "days": "30"})  # below 3 months
    assert not RetentionPolicy.objects.exists()
    client.post(url, {"kind": "messages", "days": "365"})
    assert RetentionPolicy.objects.get().days == 365
    assert AuditEvent.objects.filter(action="retention.policy_set").count() == 1


def test_hold_placed_and_released_from_the_page(ended, personas, login):
    client = login(personas.org_admin)
    response = client.post(
        f"/retention/{personas.org.public_id}/holds",
        {"scope": "relationship", "reference": str(ended.public_id), "reason": "Claim 7"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert "Claim 7" in client.get("/retention/").content.decode()
    client.post(f"/retention/holds/{hold.public_id}/release")
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_unknown_target_is_a_clear_error_not_a_500(personas, login):
    client = login(personas.org_admin)
    response = client.post(
        f"/retention/{personas.org.public_id}/holds",
        {"scope": "person", "reference": personas.outsider.email, "reason": "x"},
    )
    assert response.status_code == 422
    assert "Nobody with that e-mail address" in response.content.decode()
    assert personas.outsider.email not in response.content.decode().split("<form")[0]


def test_auditor_reads_but_cannot_change(ended, personas, login):
    client = login(personas.auditor)
    assert client.get("/retention/").status_code == 200
    response = client.post(
        f"/retention/{personas.org.public_id}/policy", {"kind": "messages", "days": "365"}
    )
    assert response.status_code == 403
    assert not RetentionPolicy.objects.exists()


def test_participants_and_other_organizations_get_404(personas, login):
    assert login(personas.cara).get("/retention/").status_code == 404
    client = login(personas.org_admin)
    other = f"/retention/{personas.other_org.public_id}/policy"
    assert client.post(other, {"kind": "messages", "days": "365"}).status_code == 404
