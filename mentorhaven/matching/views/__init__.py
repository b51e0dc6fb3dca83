"""Matching pages: the questionnaire editor and match runs for admins, the questionnaire,
suggestions and requests for participants, and the fairness report.
"""

from mentorhaven.matching.views._common import MENTEE, MENTOR
from mentorhaven.matching.views.console import console_csv, console_page
from mentorhaven.matching.views.participants import (
    home,
    hub,
    request_decline,
    request_mentor,
    requests,
    suggestions,
    waitlist,
    why,
)
from mentorhaven.matching.views.questionnaires import question_delete, questionnaire, questions
from mentorhaven.matching.views.runs import (
    PAIRS_PER_PAGE,
    exclusion_add,
    exclusion_remove,
    fairness_page,
    manager_add,
    pair_add,
    pair_remove,
    pair_swap,
    run_detail,
    run_discard,
    run_publish,
    runs,
)

__all__ = [
    "MENTEE",
    "MENTOR",
    "PAIRS_PER_PAGE",
    "console_csv",
    "console_page",
    "exclusion_add",
    "exclusion_remove",
    "fairness_page",
    "home",
    "hub",
    "manager_add",
    "pair_add",
    "pair_remove",
    "pair_swap",
    "question_delete",
    "questionnaire",
    "questions",
    "request_decline",
    "request_mentor",
    "requests",
    "run_detail",
    "run_discard",
    "run_publish",
    "runs",
    "suggestions",
    "waitlist",
    "why",
]
