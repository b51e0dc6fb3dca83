"""Redaction on a corpus of realistic goal and note texts: no identifier survives."""

from __future__ import annotations

from mentorhaven.assistant.redaction import Redactor, redact, restore
from tests.assistant.redaction_corpus import CORPUS, HARD, PARTICIPANTS


def _survivors(corpus=CORPUS) -> tuple[int, list[tuple[str, str]]]:
    total, survived = 0, []
    for text, identifiers in corpus:
        redacted = redact(text, known_names=PARTICIPANTS).text
        for identifier in identifiers:
            total += 1
            if identifier in redacted or identifier.casefold() in redacted.casefold():
                survived.append((identifier, redacted))
    return total, survived


def test_no_identifier_survives_redaction_of_the_corpus(capsys):
    total, survived = _survivors()
    recall = (total - len(survived)) / total
    with capsys.disabled():
        print(f"\nredaction recall: {total - len(survived)}/{total} = {recall:.3f}")
    assert len(CORPUS) >= 40
    assert survived == [], survived


def test_recall_on_uncued_third_party_names_is_reported(capsys):
    """A stranger's capitalised given name is caught with nothing announcing it (a dictionary
    of given names); the known limit is a name written in lower case, which can survive.
    Reported (docs/privacy.md), not hidden; participants' names are always caught."""
    total, survived = _survivors(HARD)
    with capsys.disabled():
        print(f"\nredaction recall, uncued names: {total - len(survived)}/{total}")
    assert total == len(HARD)
    assert [identifier for identifier, _ in survived] == ["tom becker"]


def test_texts_without_identifiers_keep_their_meaning():
    text = "Learn SQL well enough to build dashboards without asking the data team."
    assert redact(text, known_names=PARTICIPANTS).text == text
    title = "Improve Stakeholder Communication before the Q3 review"
    assert redact(title, known_names=PARTICIPANTS).text == title


def test_a_date_is_not_a_phone_number():
    assert redact("Due on 2027-03-31 or 31.03.2027").text == "Due on 2027-03-31 or 31.03.2027"


def test_one_value_gets_one_placeholder_across_pieces():
    redactor = Redactor(known_names=["Maria Lopez"])
    first = redactor.redact("Maria wants a promotion.").text
    second = redactor.redact("Ask Maria about it.").text
    assert first.startswith("[NAME_1]") and "[NAME_1]" in second


def test_restore_puts_originals_back_and_leaves_unknown_placeholders():
    found = redact("Ask Tom Becker at tom@example.com", known_names=[])
    answer = "Send [NAME_1] a note at [EMAIL_1] and ignore [NAME_9]."
    assert restore(answer, found.originals) == (
        "Send Tom Becker a note at tom@example.com and ignore [NAME_9]."
    )


def test_a_placeholder_typed_by_the_person_is_not_restored_to_someone_else():
    found = redact("I wrote [NAME_1] in my draft; ask Tom Becker", known_names=[])
    assert "[NAME_1] in my draft" not in found.text
    assert found.originals["[NAME_1]"] == "Tom Becker"
