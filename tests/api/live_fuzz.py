"""Schemathesis against the running server: the real ASGI app under uvicorn on loopback, its own
``/api/v1/openapi.json``, and bearer tokens of people in two organizations.

Every operation of the document gets generated requests (schemathesis's positive and negative
examples, from a fixed seed) from each caller, and the same requests again with their path filled
by the real ids of both organizations' objects, so that reads of real rows (and refusals of the
other organization's) are checked too, not only 404s for random ids. Each answer must:

* not be a server error (5xx);
* conform to the document: a declared status code, content type and headers, and a body that
  validates against the declared schema;
* not mention the other organization: none of its objects' ids, people's names or addresses,
  organization or program names (the footprint of tests/security/test_tenant_isolation.py).

``fuzz(...)`` returns a ``Report`` with the counts and every failure; the test asserts it is
empty, ``benchmarks/bench_fuzz.py`` runs it with more examples and prints the numbers.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Path parameters and the kind of object (tests/security/test_tenant_isolation.py) they name.
PARAMETER_KINDS = {
    "relationship_id": "relationship",
    "message_id": "message",
    "file_id": "file",
    "link_id": "share_link",
    "export_id": "export",
    "run_id": "run",
    "program_id": "program",
    "request_id": "data_request",
    "purpose": "purpose",
    "slug": "program_slug",
    "event_id": "event",
    "survey_id": "survey",
    "resource_id": "resource",
}
PUBLIC_ID_KINDS = {"/tokens/": "api_token", "/programs/": "program"}
CHECKS = (
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


@dataclass(frozen=True)
class Caller:
    name: str
    token: str
    foreign: tuple[str, ...]  # what this caller must never meet in an answer


@dataclass
class Report:
    operations: int = 0
    cases: Counter = field(default_factory=Counter)  # caller -> requests sent
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    schema_violations: list[str] = field(default_factory=list)
    foreign_data: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "cases_per_token": dict(self.cases),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors": len(self.server_errors),
            "schema_violations": len(self.schema_violations),
            "foreign_data": len(self.foreign_data),
        }

    def problems(self) -> list[str]:
        return [*self.server_errors, *self.schema_violations, *self.foreign_data]


def path_kinds(path: str) -> dict[str, str]:
    """The kind of object each parameter of ``path`` names."""
    kinds = {}
    for name in re.findall(r"{(\w+)}", path):
        if name == "public_id":
            kinds[name] = next(k for prefix, k in PUBLIC_ID_KINDS.items() if prefix in path)
        else:
            kinds[name] = PARAMETER_KINDS[name]
    return kinds


def real_fillings(path: str, things: dict[str, list[Any]]) -> list[dict[str, str]]:
    """Every way to fill ``path`` with real ids of one organization (both organizations')."""
    kinds = path_kinds(path)
    if not kinds:
        return []
    fillings = []
    for org in ("demo", "other", ""):
        choices = [
            [t.value for t in things.get(kind, []) if t.org == org] for kind in kinds.values()
        ]
        fillings += [dict(zip(kinds, combo, strict=True)) for combo in itertools.product(*choices)]
    return fillings


def _label(case, caller: Caller, response) -> str:
    return f"{caller.name}: {case.method} {case.formatted_path} -> {response.status_code}"


def _examine(case, caller: Caller, response, report: Report) -> None:
    report.statuses[response.status_code] += 1
    if response.status_code >= 500:
        report.server_errors.append(f"{_label(case, caller, response)} {response.text[:200]}")
    body = response.text
    seen = [value for value in caller.foreign if value in body]
    if seen:
        report.foreign_data.append(f"{_label(case, caller, response)} shows {seen[:3]}")
    try:
        case.validate_response(response, checks=list(CHECKS))
    except BaseExceptionGroup as failure:  # schemathesis's FailureGroup: checks that failed
        first = str(failure).strip().splitlines()[:6]
        report.schema_violations.append(f"{_label(case, caller, response)}: {' | '.join(first)}")


def _run(operation, mode, caller: Caller, fillings, base_url, session, report, examples) -> None:
    """``examples`` generated cases of ``operation`` in ``mode`` from ``caller``; positive ones
    are sent again with their path filled by real ids, taking each filling in turn."""
    headers = {"Authorization": f"Bearer {caller.token}"}
    turn = itertools.count()
    positive = mode is GenerationMode.POSITIVE

    def send(case) -> None:
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=base_url, session=session)
        report.cases[caller.name] += 1
        _examine(case, caller, response, report)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        # Enough positive examples that every real filling is tried once.
        max_examples=max(examples, len(fillings)) if positive else examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        send(case)
        if fillings and positive:
            case.path_parameters = dict(fillings[next(turn) % len(fillings)])
            send(case)

    run()


def fuzz(
    base_url: str,
    callers: list[Caller],
    things: dict[str, list[Any]],
    *,
    examples: int,
    only: str = "",
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run every operation of the live server's document for every caller (see the module
    docstring); ``examples`` generated cases per operation, mode and caller."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    schema.config.update(base_url=base_url)
    report = Report()
    session = requests.Session()
    # Deletions last, so that the other operations meet the real rows before they are gone.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: operation.method.upper() == "DELETE",
    )
    if only:  # a comma-separated list of paths, to look at a few operations alone
        wanted = set(only.split(","))
        operations = [operation for operation in operations if operation.path in wanted]
    report.operations = len(operations)
    for operation in operations:
        fillings = real_fillings(operation.path, things)
        for caller in callers:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, mode, caller, fillings, base_url, session, report, examples)
        if progress:
            progress(f"{operation.method.upper()} {operation.path}: {dict(report.cases)}")
    return report
