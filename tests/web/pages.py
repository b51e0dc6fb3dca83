"""Every signed-in page a participant or an admin opens, with who opens it, in a world built by
tests/world.py.

``pages(world)`` walks the URL patterns (tests/security/urlwalk.py) and returns, for each one, the
pages to load: who (a key of ``world.people``) and the path. A pattern that is not a signed-in
page (POST-only actions, public token pages, the JSON API, steps of the sign-in flow) is listed
in ``NOT_PAGES`` with the reason; a pattern in neither table makes ``pages`` fail, so a page
added later cannot be forgotten. Used by tests/web/test_page_queries.py and
benchmarks/bench_pages.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from mentorhaven.matching.models import Question
from tests.security.urlwalk import endpoints
from tests.world import World


@dataclass(frozen=True)
class Page:
    name: str  # a label for reports: the URL name, and who opens it when several do
    who: str  # a key of World.people
    path: str
    status: int = 200  # a page that redirects answers 302


MENTEE, MENTOR, WAITING = "mentee", "mentor", "waiting_mentee"
PROGRAM_ADMIN, ORG_ADMIN = "program_admin", "org_admin"
AUDITOR, SECURITY_OFFICER = "auditor", "security_officer"
EVERY_ROLE = (MENTEE, MENTOR, PROGRAM_ADMIN, ORG_ADMIN, AUDITOR, SECURITY_OFFICER)

POST_ONLY = "an action (POST only): no page to open"
SIGN_IN_FLOW = "a step of signing in, out or up, or of a password reset: not a signed-in page"
TOKEN_PAGE = "opened with a token of its own (e-mail link, calendar app, share link), no session"
ALLAUTH_OLD_ADDRESS = "allauth's former address of a social-account page: a redirect to the new one"


# URL name -> why it is not measured. Every reason is checked against the route's views by
# tests/web/test_page_queries.py::test_every_url_pattern_is_a_page_or_has_a_reason.
NOT_PAGES: dict[str, str] = {
    "healthz": "the load balancer's health check, not a page",
    "readyz": "the orchestrator's readiness check, not a page",
    "metrics": "Prometheus' scrape endpoint (bearer token), not a page",
    "account_token_revoke": POST_ONLY,
    "account_session_end": POST_ONLY,
    "invitation_accept": "needs an invitation in the session: the one-off step after its link",
    "invitation_open": TOKEN_PAGE,
    "account_login": SIGN_IN_FLOW,
    "account_inactive": SIGN_IN_FLOW,
    "account_signup": SIGN_IN_FLOW,
    "account_request_reauthentication_code": "sign-in by e-mailed code is not enabled (404)",
    "account_confirm_reauthentication_code": "sign-in by e-mailed code is not enabled (404)",
    "account_email_verification_sent": SIGN_IN_FLOW,
    "account_confirm_login_code": "sign-in by e-mailed code is not enabled (404)",
    "account_confirm_email": TOKEN_PAGE,
    "account_reset_password": SIGN_IN_FLOW,
    "account_reset_password_done": SIGN_IN_FLOW,
    "account_reset_password_from_key": TOKEN_PAGE,
    "account_reset_password_from_key_done": SIGN_IN_FLOW,
    "mfa_authenticate": SIGN_IN_FLOW,
    "mfa_login_webauthn": SIGN_IN_FLOW,
    "mfa_reauthenticate_webauthn": "needs a registered passkey (a browser ceremony)",
    "mfa_remove_webauthn": "needs a registered passkey (a browser ceremony)",
    "mfa_edit_webauthn": "needs a registered passkey (a browser ceremony)",
    "invitation_revoke": POST_ONLY,
    "calendar_feed": TOKEN_PAGE,
    "relationship_accept": POST_ONLY,
    "relationship_rematch": POST_ONLY,
    "relationship_survey": POST_ONLY,
    "matching_waitlist": POST_ONLY,
    "goal_add": POST_ONLY,
    "note_add": POST_ONLY,
    "meeting_add": POST_ONLY,
    "goal_progress": POST_ONLY,
    "goal_status": POST_ONLY,
    "milestone_add": POST_ONLY,
    "milestone_toggle": POST_ONLY,
    "assistant_goal_coach": POST_ONLY,
    "assistant_goal_coach_accept": POST_ONLY,
    "assistant_meeting_agenda": POST_ONLY,
    "assistant_conversation_prompts": POST_ONLY,
    "assistant_program_themes": POST_ONLY,
    "meeting_accept": POST_ONLY,
    "meeting_decline": POST_ONLY,
    "meeting_cancel": POST_ONLY,
    "meeting_feedback": POST_ONLY,
    "matching_exclusion_add": POST_ONLY,
    "matching_exclusion_remove": POST_ONLY,
    "matching_manager_add": POST_ONLY,
    "matching_pair_add": POST_ONLY,
    "matching_run_discard": POST_ONLY,
    "matching_pair_remove": POST_ONLY,
    "matching_pair_swap": POST_ONLY,
    "matching_request": POST_ONLY,
    "matching_request_decline": POST_ONLY,
    "messaging:send": POST_ONLY,
    "messaging:block": POST_ONLY,
    "messaging:message_delete": POST_ONLY,
    "file_delete": POST_ONLY,
    "share_link_create": POST_ONLY,
    "share_link_revoke": POST_ONLY,
    "consent_give": POST_ONLY,
    "consent_withdraw": POST_ONLY,
    "restriction_start": POST_ONLY,
    "restriction_lift": POST_ONLY,
    "data_request_status": POST_ONLY,
    "community:register": POST_ONLY,
    "community:unregister": POST_ONLY,
    "community:check_in": POST_ONLY,
    "surveys:close": POST_ONLY,
    "library:resource_archive": POST_ONLY,
    "share_page": TOKEN_PAGE,
    "retention_policy_set": POST_ONLY,
    "retention_hold_place": POST_ONLY,
    "retention_hold_release": POST_ONLY,
    "share_download": TOKEN_PAGE,
    "privacy_export_request": POST_ONLY,
    "privacy_export_link": POST_ONLY,
    "privacy_export_download": TOKEN_PAGE,
    "gates:breakglass_decide": POST_ONLY,
    "incidents:open": POST_ONLY,
    "incidents:entry_add": POST_ONLY,
    "incidents:advance": POST_ONLY,
    "incidents:regulator": POST_ONLY,
    "incidents:contain": POST_ONLY,
    "incidents:notify": POST_ONLY,
    "incidents:unlock": POST_ONLY,
    "incidents:alert_open": POST_ONLY,
    "incidents:alert_dismiss": POST_ONLY,
    "program_archive": POST_ONLY,
    "sso_start": SIGN_IN_FLOW,
    "socialaccount_login_cancelled": SIGN_IN_FLOW,
    "socialaccount_login_error": SIGN_IN_FLOW,
    "socialaccount_signup": SIGN_IN_FLOW,
    "openid_connect_login": SIGN_IN_FLOW,
    "openid_connect_callback": SIGN_IN_FLOW,
    "<unnamed accounts/social/login/cancelled/>": ALLAUTH_OLD_ADDRESS,
    "<unnamed accounts/social/login/error/>": ALLAUTH_OLD_ADDRESS,
    "<unnamed accounts/social/signup/>": ALLAUTH_OLD_ADDRESS,
    "<unnamed accounts/social/connections/>": ALLAUTH_OLD_ADDRESS,
    "setup": "the first-run page of an empty install, before anyone can sign in; 404 once an "
    "organization exists (tests/programs/test_setup_page.py)",
}
API_REASON = "the JSON API, not a page (message sending is measured by bench_messages.py)"


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def _a_question(program) -> Question | None:
    return Question.objects.filter(program=program).order_by("pk").first()


def _page_table(w: World) -> dict[str, list[tuple[str, str, int]]]:
    """URL name -> [(who, path, status)]."""
    r, conv, program = w.relationship, w.conversation, w.program
    assert r and conv and w.note and w.meeting and w.file and w.run and w.report
    assert w.own_message and w.their_message and w.notification and w.export and w.data_request
    assert w.agreement and w.grant and w.incident and w.event and w.survey and w.resource
    event, survey, resource = w.event.public_id, w.survey.public_id, w.resource.public_id
    other = w.people[MENTOR]
    every = [(who, _url("dashboard"), 200) for who in EVERY_ROLE]
    mine = {MENTEE: r.public_id}
    return {
        "home": [(MENTEE, "/", 302)],
        "dashboard": every,
        "account_security": [(MENTEE, _url("account_security"), 200)],
        "account_tokens": [(MENTEE, _url("account_tokens"), 200)],
        "account_profile": [(MENTEE, _url("account_profile"), 200)],
        "usersessions_list": [(MENTEE, _url("usersessions_list"), 200)],
        "account_email": [(MENTEE, _url("account_email"), 200)],
        "account_logout": [(MENTEE, _url("account_logout"), 200)],
        "account_reauthenticate": [(MENTEE, _url("account_reauthenticate"), 200)],
        "account_change_password": [(MENTEE, _url("account_change_password"), 200)],
        "account_set_password": [(MENTEE, _url("account_set_password"), 302)],
        "mfa_index": [(MENTOR, _url("mfa_index"), 200)],
        "mfa_reauthenticate": [(MENTOR, _url("mfa_reauthenticate"), 200)],
        "mfa_activate_totp": [(MENTEE, _url("mfa_activate_totp"), 200)],
        "mfa_deactivate_totp": [(MENTOR, _url("mfa_deactivate_totp"), 200)],
        "mfa_view_recovery_codes": [(MENTOR, _url("mfa_view_recovery_codes"), 200)],
        "mfa_generate_recovery_codes": [(MENTOR, _url("mfa_generate_recovery_codes"), 200)],
        "mfa_download_recovery_codes": [(MENTOR, _url("mfa_download_recovery_codes"), 200)],
        "mfa_list_webauthn": [(MENTOR, _url("mfa_list_webauthn"), 200)],
        "mfa_add_webauthn": [(MENTOR, _url("mfa_add_webauthn"), 200)],
        "invitations_home": [(PROGRAM_ADMIN, _url("invitations_home"), 302)],
        "sso_settings": [(ORG_ADMIN, _url("sso_settings", org_id=w.org.public_id), 200)],
        "socialaccount_connections": [(MENTEE, _url("socialaccount_connections"), 200)],
        "invitations": [
            (who, _url("invitations", org_id=w.org.public_id), 200)
            for who in (PROGRAM_ADMIN, ORG_ADMIN)
        ],
        "retention": [(who, _url("retention"), 200) for who in (ORG_ADMIN, AUDITOR)],
        "programs_home": [(ORG_ADMIN, _url("programs_home"), 302)],
        "programs_manage": [(ORG_ADMIN, _url("programs_manage", org_id=w.org.public_id), 200)],
        "program_edit": [(ORG_ADMIN, _url("program_edit", program_id=program.public_id), 200)],
        "invitations_bulk": [(ORG_ADMIN, _url("invitations_bulk", org_id=w.org.public_id), 200)],
        "relationship_list": [
            (MENTEE, _url("relationship_list"), 200),
            (MENTOR, _url("relationship_list"), 200),
        ],
        "calendar_settings": [(MENTEE, _url("calendar_settings"), 200)],
        "relationship_program": [
            (PROGRAM_ADMIN, _url("relationship_program", program_id=program.public_id), 200)
        ],
        "relationship_detail": [
            (who, _url("relationship_detail", relationship_id=r.public_id), 200)
            for who in (MENTEE, MENTOR)
        ],
        "relationship_end": [
            (who, _url("relationship_end", relationship_id=r.public_id), 200)
            for who in (MENTEE, MENTOR, PROGRAM_ADMIN)
        ],
        "relationship_certificate": [
            (MENTEE, _url("relationship_certificate", relationship_id=r.public_id), 200)
        ],
        "relationship_manage": [
            (PROGRAM_ADMIN, _url("relationship_manage", relationship_id=r.public_id), 200)
        ],
        "note_edit": [(MENTOR, _url("note_edit", note_id=w.note.public_id), 200)],
        "note_delete": [(MENTOR, _url("note_delete", note_id=w.note.public_id), 200)],
        "meeting_ics": [(MENTEE, _url("meeting_ics", meeting_id=w.meeting.public_id), 200)],
        "matching_home": [
            (who, _url("matching_home"), 200) for who in (MENTEE, MENTOR, PROGRAM_ADMIN)
        ],
        "matching_hub": [
            (who, _url("matching_hub", program_id=program.public_id), 200)
            for who in (MENTEE, PROGRAM_ADMIN)
        ],
        "matching_questions": [
            (PROGRAM_ADMIN, _url("matching_questions", program_id=program.public_id), 200)
        ],
        "matching_questionnaire": [
            (
                who,
                _url("matching_questionnaire", program_id=program.public_id, role=role),
                200,
            )
            for who, role in ((MENTEE, "mentee"), (MENTOR, "mentor"))
        ],
        "matching_runs": [
            (PROGRAM_ADMIN, _url("matching_runs", program_id=program.public_id), 200)
        ],
        "matching_run": [(PROGRAM_ADMIN, _url("matching_run", run_id=w.run.public_id), 200)],
        "matching_run_publish": [
            (PROGRAM_ADMIN, _url("matching_run_publish", run_id=w.run.public_id), 200)
        ],
        "matching_question_delete": [
            (
                PROGRAM_ADMIN,
                _url("matching_question_delete", question_id=_a_question(program).public_id),
                200,
            )
        ],
        "matching_suggestions": [
            (WAITING, _url("matching_suggestions", program_id=program.public_id), 200)
        ],
        "matching_requests": [
            (MENTOR, _url("matching_requests", program_id=program.public_id), 200)
        ],
        "matching_why": [(MENTEE, _url("matching_why", relationship_id=mine[MENTEE]), 200)],
        "community:event_list": [
            (who, _url("community:event_list", program_id=program.public_id), 200)
            for who in (MENTEE, PROGRAM_ADMIN)
        ],
        "community:event_create": [
            (PROGRAM_ADMIN, _url("community:event_create", program_id=program.public_id), 200)
        ],
        "community:event_detail": [
            (who, _url("community:event_detail", event_id=event), 200)
            for who in (MENTEE, PROGRAM_ADMIN)
        ],
        "community:event_edit": [
            (PROGRAM_ADMIN, _url("community:event_edit", event_id=event), 200)
        ],
        "community:event_cancel": [
            (PROGRAM_ADMIN, _url("community:event_cancel", event_id=event), 200)
        ],
        "community:event_ics": [(MENTEE, _url("community:event_ics", event_id=event), 200)],
        "library:resource_list": [
            (who, _url("library:resource_list", program_id=program.public_id), 200)
            for who in (MENTEE, MENTOR, PROGRAM_ADMIN)
        ],
        "library:resource_create": [
            (PROGRAM_ADMIN, _url("library:resource_create", program_id=program.public_id), 200)
        ],
        "library:resource_detail": [
            (who, _url("library:resource_detail", resource_id=resource), 200)
            for who in (MENTEE, PROGRAM_ADMIN)
        ],
        "library:resource_edit": [
            (PROGRAM_ADMIN, _url("library:resource_edit", resource_id=resource), 200)
        ],
        "library:resource_content": [
            (MENTEE, _url("library:resource_content", resource_id=resource), 200)
        ],
        "surveys:list": [
            (who, _url("surveys:list", program_id=program.public_id), 200)
            for who in (MENTEE, PROGRAM_ADMIN)
        ],
        "surveys:new": [(PROGRAM_ADMIN, _url("surveys:new", program_id=program.public_id), 200)],
        "surveys:respond": [(MENTEE, _url("surveys:respond", survey_id=survey), 200)],
        "surveys:results": [(PROGRAM_ADMIN, _url("surveys:results", survey_id=survey), 200)],
        "reporting:dashboard": [
            (who, _url("reporting:dashboard", program_id=program.public_id), 200)
            for who in (PROGRAM_ADMIN, ORG_ADMIN, AUDITOR)
        ],
        "reporting:export_csv": [
            (PROGRAM_ADMIN, _url("reporting:export_csv", program_id=program.public_id), 200)
        ],
        "reporting:export_pdf": [
            (PROGRAM_ADMIN, _url("reporting:export_pdf", program_id=program.public_id), 200)
        ],
        "reporting:insights": [
            (PROGRAM_ADMIN, _url("reporting:insights", program_id=program.public_id), 200)
        ],
        "reporting:my_signals": [
            (who, _url("reporting:my_signals"), 200) for who in (MENTEE, MENTOR)
        ],
        "reporting:policy": [(ORG_ADMIN, _url("reporting:policy", org_id=w.org.public_id), 200)],
        "matching_fairness": [
            (PROGRAM_ADMIN, _url("matching_fairness", program_id=program.public_id), 200)
        ],
        "matching_console": [
            (who, _url("matching_console", program_id=program.public_id), 200)
            for who in (PROGRAM_ADMIN, ORG_ADMIN)
        ],
        "matching_console_csv": [
            (PROGRAM_ADMIN, _url("matching_console_csv", program_id=program.public_id), 200)
        ],
        "messaging:inbox": [(who, _url("messaging:inbox"), 200) for who in (MENTEE, MENTOR)],
        "messaging:open": [(MENTEE, _url("messaging:open", relationship_id=r.public_id), 302)],
        "messaging:conversation": [
            (who, _url("messaging:conversation", conversation_id=conv.public_id), 200)
            for who in (MENTEE, MENTOR)
        ],
        "messaging:history": [
            (MENTEE, _url("messaging:history", conversation_id=conv.public_id), 200)
        ],
        "messaging:poll": [(MENTEE, _url("messaging:poll", conversation_id=conv.public_id), 200)],
        "messaging:search": [
            (
                MENTEE,
                _url("messaging:search", conversation_id=conv.public_id) + "?q=Thursday",
                200,
            )
        ],
        "messaging:report_person": [
            (
                MENTEE,
                _url(
                    "messaging:report_person",
                    conversation_id=conv.public_id,
                    user_id=other.public_id,
                ),
                200,
            )
        ],
        "messaging:message_edit": [
            (MENTEE, _url("messaging:message_edit", message_id=w.own_message.public_id), 200)
        ],
        "messaging:report_message": [
            (MENTEE, _url("messaging:report_message", message_id=w.their_message.public_id), 200)
        ],
        "messaging:notifications": [(MENTEE, _url("messaging:notifications"), 200)],
        "messaging:notification": [
            (
                MENTEE,
                _url("messaging:notification", notification_id=w.notification.public_id),
                302,
            )
        ],
        # safety cases: the program's admins (program admins, org admins), filtered too
        "messaging:reports": [
            *((who, _url("messaging:reports"), 200) for who in (PROGRAM_ADMIN, ORG_ADMIN)),
            (
                PROGRAM_ADMIN,
                _url("messaging:reports") + f"?status=open&program={program.public_id}",
                200,
            ),
        ],
        "messaging:report_detail": [
            (who, _url("messaging:report_detail", report_id=w.report.public_id), 200)
            for who in (PROGRAM_ADMIN, ORG_ADMIN)
        ],
        "privacy_home": [(MENTEE, _url("privacy_home"), 200)],
        "privacy_data": [(MENTEE, _url("privacy_data"), 200)],
        "privacy_access_log": [(MENTEE, _url("privacy_access_log"), 200)],
        "privacy_erasure": [(MENTEE, _url("privacy_erasure"), 200)],
        "privacy_export_status": [
            (MENTEE, _url("privacy_export_status", export_id=w.export.public_id), 200)
        ],
        "consent_home": [(MENTEE, _url("consent_home"), 200)],
        "data_requests": [(MENTEE, _url("data_requests"), 200)],
        "data_request_queue": [(SECURITY_OFFICER, _url("data_request_queue"), 200)],
        "data_request_detail": [
            (who, _url("data_request_detail", request_id=w.data_request.public_id), 200)
            for who in (MENTEE, SECURITY_OFFICER)
        ],
        "relationship_files": [
            (who, _url("relationship_files", relationship_id=r.public_id), 200)
            for who in (MENTEE, MENTOR)
        ],
        "file_detail": [(MENTEE, _url("file_detail", file_id=w.file.public_id), 200)],
        "file_content": [(MENTOR, _url("file_content", file_id=w.file.public_id), 200)],
        "gates:agreement": [
            (who, _url("gates:agreement", version_id=w.agreement.public_id), 200)
            for who in (MENTEE, MENTOR)
        ],
        "gates:agreement_publish": [
            (ORG_ADMIN, _url("gates:agreement_publish", program_id=program.public_id), 200)
        ],
        "gates:training": [(MENTOR, _url("gates:training"), 200)],
        "gates:training_figures": [
            (PROGRAM_ADMIN, _url("gates:training_figures", program_id=program.public_id), 200)
        ],
        "gates:breakglass_list": [
            (ORG_ADMIN, _url("gates:breakglass_list", org_id=w.org.public_id), 200)
        ],
        "gates:breakglass_detail": [
            (
                who,
                _url("gates:breakglass_detail", grant_id=w.grant.public_id),
                200,
            )
            for who in (ORG_ADMIN, "second_admin")
        ],
        "incidents:list": [(SECURITY_OFFICER, _url("incidents:list"), 200)],
        "incidents:alerts": [(SECURITY_OFFICER, _url("incidents:alerts"), 200)],
        "incidents:notices": [(MENTEE, _url("incidents:notices"), 200)],
        "incidents:not_me": [(MENTEE, _url("incidents:not_me"), 200)],
        "incidents:detail": [
            (SECURITY_OFFICER, _url("incidents:detail", incident_id=w.incident.public_id), 200)
        ],
        "incidents:impact": [
            (SECURITY_OFFICER, _url("incidents:impact", incident_id=w.incident.public_id), 200)
        ],
        "gates:breakglass_read": [
            (ORG_ADMIN, _url("gates:breakglass_read", grant_id=w.grant.public_id), 200)
        ],
    }


def not_a_page(name: str, route: str) -> str | None:
    """Why the URL pattern ``name`` is not measured, or None."""
    if route.startswith("api/v1/"):
        return API_REASON
    return NOT_PAGES.get(name)


def pages(world: World, *, unlisted: Callable[[str], None] | None = None) -> list[Page]:
    """Every page of every URL pattern for ``world``. A pattern in neither table raises
    (or is passed to ``unlisted``)."""
    table = _page_table(world)
    found: list[Page] = []
    seen: set[str] = set()
    for endpoint in endpoints():
        name = endpoint.name
        if name in seen or not_a_page(name, endpoint.route) is not None:
            continue
        if name not in table:
            if unlisted is None:
                raise LookupError(f"URL pattern {name!r} ({endpoint.route}) is not in pages.py")
            unlisted(name)
            continue
        seen.add(name)
        rows = table[name]
        for who, path, status in rows:
            label = name if len(rows) == 1 else f"{name} ({who})"
            found.append(Page(label, who, path, status))
    return found
