"""One edge for HTML: a domain error raised under a page becomes a response in one place
(``mentorhaven.web.edge``), as the API's does in its error handler.

Views let refusals rise. An ``except`` of a domain error in a view may put the refusal on its
own form (``form.add_error``) or raise (a more specific refusal for the edge, or another
response of the sign-in flow); anything else is listed in ``OWN_ANSWERS`` with the reason. A view
that flashed the message itself, or a decorator that turned ``NotFound`` into a 404 by hand,
would skip what the edge adds: the refusal on the monitoring record, and the way back to the
page the person came from.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mentorhaven.kernel import errors
from mentorhaven.kernel.models import AuditEvent
from tests.incidents.conftest import make_officer

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "mentorhaven"
DOMAIN_ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.ApplicationError)
}


def _view_modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and (path.stem == "views" or path.stem.endswith("_views") or "views" in path.parts)
    ]


def _caught(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {k.id if isinstance(k, ast.Name) else getattr(k, "attr", "") for k in kinds if k}


def _answers_itself(handler: ast.ExceptHandler) -> bool:
    """Whether the handler does more than show the refusal on its form or re-raise."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Raise):
            return False
        if isinstance(node, ast.Attribute) and node.attr == "add_error":
            return False
    return True


# The views that answer a refusal themselves, and why the edge's answer would be wrong there.
OWN_ANSWERS = {
    "mentorhaven/programs/views.py:invitation_accept_view": (
        "an invitation used or revoked since its page opened gets the invitation flow's own page"
    ),
    "mentorhaven/files/share_views.py:share_page": (
        "a public page without a session or a Referer: a wrong password or too many tries is "
        "shown on its own password form, with 403 or 429"
    ),
    "mentorhaven/matching/views/participants.py:hub": (
        "asks the admin check a question (admin or participant?) and answers nothing with it"
    ),
}


def hand_made_answers(source: str, name: str) -> list[str]:
    """``module:function:line`` of each handler of a domain error that answers it itself."""
    found = []
    for function in ast.walk(ast.parse(source, name)):
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            handler = isinstance(node, ast.ExceptHandler) and _caught(node) & DOMAIN_ERRORS
            if handler and _answers_itself(node):
                found.append(f"{name}:{function.name}:{node.lineno}")
    return found


def test_no_view_answers_for_a_domain_error_itself():
    found = []
    for path in _view_modules():
        found += hand_made_answers(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    unexplained = [f for f in found if f.rpartition(":")[0] not in OWN_ANSWERS]
    assert not unexplained, "let the refusal rise to web.edge:\n" + "\n".join(unexplained)
    still_there = {f.rpartition(":")[0] for f in found}
    assert still_there == set(OWN_ANSWERS), "no longer answers itself: drop it from OWN_ANSWERS"


def test_the_scan_finds_a_view_that_flashes_or_404s_by_hand():
    flashing = (
        "def v(request):\n"
        "    try:\n        act()\n"
        "    except ApplicationError as exc:\n        messages.error(request, exc.message)\n"
    )
    guarding = (
        "def g(view):\n"
        "    try:\n        return view()\n"
        "    except NotFound as exc:\n        raise_404()\n"
    )
    on_the_form = (
        "def f(request):\n"
        "    try:\n        act()\n"
        "    except ValidationFailed as exc:\n        form.add_error(None, exc.message)\n"
    )
    assert hand_made_answers(flashing, "a.py") == ["a.py:v:4"]
    assert hand_made_answers(guarding, "b.py") == ["b.py:g:4"]
    assert hand_made_answers(on_the_form, "c.py") == []
    assert len(_view_modules()) > 15


def test_a_refusal_on_the_incident_page_returns_there_with_its_message(personas, login):
    from mentorhaven.incidents.services import incident_open

    officer = make_officer(personas, personas.org, "sol.officer@demo.test", "Sol Officer")
    incident = incident_open(
        actor=officer, organization_id=personas.org.public_id, severity="high",
        description="Phished", affected_systems="web sign-in",
    )  # fmt: skip
    client = login(officer)
    page = f"/incidents/{incident.public_id}/"
    response = client.post(
        f"{page}stage/", {"stage": "notify"}, headers={"Referer": f"http://testserver{page}"}
    )
    assert response.status_code == 302 and response["Location"].endswith(page)
    assert "An incident moves forward one stage at a time." in client.get(page).content.decode()
    incident.refresh_from_db()
    assert incident.stage == "detect"


@pytest.mark.parametrize(
    "path",
    [
        "/gates/break-glass/00000000-0000-4000-8000-000000000000/",
        "/privacy/exports/00000000-0000-4000-8000-000000000000",
    ],
)
def test_a_probe_of_an_unknown_id_answers_404_and_is_on_the_monitoring_record(
    personas, login, path
):
    client = login(personas.cara)
    before = AuditEvent.objects.filter(action="access.denied").count()
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == before + 1
