"""Every write of the matching app: questionnaires and answers, exclusions, match runs
(draft → adjust → publish), self-match requests and their lapse.
"""

from mentorhaven.matching.services._common import (
    DEFAULT_REQUEST_WINDOW_DAYS,
    MAX_OPTIONS,
    MAX_WEIGHT,
)
from mentorhaven.matching.services.exclusions import exclusion_add, exclusion_remove
from mentorhaven.matching.services.questions import (
    question_create,
    question_delete,
    question_update,
    questionnaire_submit,
)
from mentorhaven.matching.services.reminders import (
    questionnaire_reminders_send,
    request_lapse_warnings_send,
)
from mentorhaven.matching.services.requests import match_request, request_window, requests_lapse
from mentorhaven.matching.services.runs import (
    match_pair_add,
    match_pair_remove,
    match_pair_swap,
    match_run_create,
    match_run_discard,
    match_run_publish,
)
from mentorhaven.matching.services.sensitive import sensitive_answers_remove
from mentorhaven.matching.services.waitlist import waitlist_join, waitlist_leave, waitlist_notify

__all__ = [
    "DEFAULT_REQUEST_WINDOW_DAYS",
    "MAX_OPTIONS",
    "MAX_WEIGHT",
    "exclusion_add",
    "exclusion_remove",
    "match_pair_add",
    "match_pair_remove",
    "match_pair_swap",
    "match_request",
    "match_run_create",
    "match_run_discard",
    "match_run_publish",
    "question_create",
    "question_delete",
    "question_update",
    "questionnaire_reminders_send",
    "questionnaire_submit",
    "request_lapse_warnings_send",
    "request_window",
    "requests_lapse",
    "sensitive_answers_remove",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_notify",
]
