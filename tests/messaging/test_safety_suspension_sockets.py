"""A suspension from a safety case closes the suspended person's open sockets at once (4401),
and nothing sent afterwards reaches them."""

from __future__ import annotations

import pytest

from mentorhaven.messaging import services
from tests.messaging.test_socket_sessions import closes_and_stays_quiet, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_suspending_the_reported_person_closes_their_open_socket(chat, personas):
    message = services.message_send(actor=personas.cara, conversation=chat, body="Rude words")
    report = services.report_create(actor=personas.ana, message=message, reason="harassment")
    services.report_triage(actor=personas.coordinator, report=report)
    browser = signed_in(personas.cara)
    closes_and_stays_quiet(
        lambda: services.report_suspend(actor=personas.coordinator, report=report)
    )(chat, personas, browser)
    assert browser.get("/messages/").status_code == 302
