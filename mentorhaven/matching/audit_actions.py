"""Audit actions of matching: questionnaires, consent, runs, requests (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("matching.question_create", category="program", sentence=_("{actor} added a question"))
declare("matching.question_update", category="program", sentence=_("{actor} changed a question"))
declare("matching.question_delete", category="program", sentence=_("{actor} removed a question"))
declare(
    "matching.sensitive_strip",
    category="analytical",
    sentence=_("{actor} removed your sensitive answers from a matching draft"),
)
# Recorded before purpose-based consent (the consent app); kept so older events still read.
declare(
    "matching.consent_give",
    category="program",
    sentence=_("{actor} consented to a sensitive question"),
)
declare(
    "matching.consent_withdraw",
    category="program",
    sentence=_("{actor} withdrew consent to a sensitive question"),
)
declare(
    "matching.questionnaire_submit",
    category="personal",
    sentence=_("{actor} answered the matching questionnaire"),
)
declare("matching.exclusion_add", category="program", sentence=_("{actor} excluded a match"))
declare("matching.exclusion_remove", category="program", sentence=_("{actor} allowed a match"))
declare("matching.run_create", category="analytical", sentence=_("{actor} ran matching"))
declare("matching.run_publish", category="analytical", sentence=_("{actor} published matches"))
declare(
    "matching.run_discard", category="analytical", sentence=_("{actor} discarded a matching draft")
)
declare("matching.pair_add", category="program", sentence=_("{actor} added a pair to a draft"))
declare(
    "matching.pair_remove", category="program", sentence=_("{actor} removed a pair from a draft")
)
declare("matching.pair_swap", category="program", sentence=_("{actor} swapped pairs in a draft"))
declare("matching.request", category="analytical", sentence=_("{actor} asked a mentor for a match"))
declare(
    "matching.fairness_report",
    category="personal",
    sentence=_("{actor} viewed a fairness report counting your answers"),
)
declare(
    "matching.console_export",
    category="program",
    sentence=_("{actor} downloaded the program's list of participants and their stages"),
)
# Reads (``record_access``): one event per page or run, naming everyone whose answers, scores
# or reasons it used or showed.
declare(
    "matching.answers_read",
    category="analytical",
    sentence=_("{actor} ran matching, which read your questionnaire answers"),
)
declare(
    "matching.run_read",
    category="analytical",
    sentence=_("{actor} viewed match proposals with their scores and reasons, including yours"),
)
declare(
    "matching.suggestions_read",
    category="analytical",
    sentence=_("{actor} was shown you as a suggested match, with the reasons"),
)
declare(
    "matching.explanation_read",
    category="analytical",
    sentence=_("{actor} read why the two of you were matched"),
)
declare(
    "matching.waitlist_join",
    category="program",
    sentence=_("{actor} asked to be told when a mentor is free"),
)
declare(
    "matching.waitlist_leave",
    category="program",
    sentence=_("{actor} left the waitlist for a mentor"),
)
