"""Walk every URL pattern of ``mentorhaven.urls`` and turn each into concrete paths.

Used by the URL-walk and tenant-isolation tests, so that a page or endpoint somebody adds later
is covered without anyone remembering to list it. Path parameters are filled from candidate
values the caller supplies (dummy values, or real identifiers of objects a viewer must not see);
every built path is checked with ``resolve`` to reach the pattern it was built from, and a
pattern that cannot be built at all is reported, so nothing is skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_META = set("^$*+?{}[]()|\\.")


@dataclass(frozen=True)
class Param:
    name: str
    regex: str  # what a value must fully match
    kind: str  # converter name ("uuid", "int", "str", "slug", "path") or "regex"


@dataclass
class Endpoint:
    """One URL pattern: its name, its route as written, and how to fill it in."""

    name: str
    route: str
    parts: list  # literal strings and Param objects, in order
    params: list[Param] = field(default_factory=list)
    error: str = ""

    def build(self, values: dict[str, str]) -> str:
        return "/" + "".join(values[p.name] if isinstance(p, Param) else p for p in self.parts)

    def resolves_to_self(self, path: str) -> bool:
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.route == self.route


def _route_parts(pattern: RoutePattern) -> tuple[list, list[Param]]:
    text = str(pattern)
    parts: list = []
    params: list[Param] = []
    pos = 0
    for m in ROUTE_PARAM.finditer(text):
        parts.append(text[pos : m.start()])
        name = m["name"]
        converter = pattern.converters[name]
        param = Param(name, converter.regex, m["conv"] or "str")
        parts.append(param)
        params.append(param)
        pos = m.end()
    parts.append(text[pos:])
    return parts, params


def _group_end(regex: str, start: int) -> int:
    """Index of the parenthesis closing the group opened at ``start``."""
    depth, i = 0, start
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced group in {regex!r}")


def _regex_parts(pattern: RegexPattern) -> tuple[list, list[Param]]:
    regex = pattern._regex.removeprefix("^").removesuffix("$")
    parts: list = []
    params: list[Param] = []
    literal = ""
    i = 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = _group_end(regex, i)
            name, inner = regex[i + 4 : end].split(">", 1)
            parts.append(literal)
            literal = ""
            param = Param(name, inner, "regex")
            parts.append(param)
            params.append(param)
            i = end + 1
        elif regex[i] == "\\" and i + 1 < len(regex) and not regex[i + 1].isalnum():
            literal += regex[i + 1]
            i += 2
        elif regex[i] in REGEX_META:
            raise ValueError(f"cannot turn {pattern._regex!r} into a path")
        else:
            literal += regex[i]
            i += 1
    parts.append(literal)
    return parts, params


def _parts(pattern) -> tuple[list, list[Param]]:
    if isinstance(pattern, RoutePattern):
        return _route_parts(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_parts(pattern)
    raise ValueError(f"unknown pattern type {type(pattern).__name__}")


def _route_text(pattern) -> str:
    return str(pattern) if isinstance(pattern, RoutePattern) else pattern._regex


def endpoints() -> list[Endpoint]:
    """Every leaf URL pattern reachable from the root URLconf, nested includes resolved."""
    found: list[Endpoint] = []

    def walk(resolver: URLResolver, prefix_parts: list, prefix_params: list, route: str, ns):
        for entry in resolver.url_patterns:
            namespace = ns + (
                [entry.namespace] if isinstance(entry, URLResolver) and entry.namespace else []
            )
            try:
                parts, params = _parts(entry.pattern)
                error = ""
            except ValueError as exc:
                parts, params, error = [], [], str(exc)
            text = _route_text(entry.pattern)
            # Django's ResolverMatch.route drops the "^" of a nested regex; do the same.
            full_route = route + text.removeprefix("^") if route else text
            if isinstance(entry, URLResolver):
                walk(entry, prefix_parts + parts, prefix_params + params, full_route, namespace)
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespace, entry.name or f"<unnamed {full_route}>"])
                found.append(
                    Endpoint(name, full_route, prefix_parts + parts, prefix_params + params, error)
                )

    walk(get_resolver(), [], [], "", [])
    return found


def fill(endpoint: Endpoint, candidates: Callable[[Param], Iterable[str]]) -> Iterator[str]:
    """Concrete paths for ``endpoint``: each parameter in turn takes each of its candidates
    (the others keep their first fitting value). Only paths that resolve back to the endpoint."""
    fitting: dict[str, list[str]] = {}
    for param in endpoint.params:
        values = [v for v in candidates(param) if re.fullmatch(param.regex, v)]
        if not values:
            return
        fitting[param.name] = list(dict.fromkeys(values))
    base = {name: values[0] for name, values in fitting.items()}
    seen: set[str] = set()
    combos = [base] + [{**base, name: v} for name, values in fitting.items() for v in values[1:]]
    for values in combos:
        path = endpoint.build(values)
        if path not in seen and endpoint.resolves_to_self(path):
            seen.add(path)
            yield path


DUMMY = {
    "uuid": ["00000000-0000-4000-8000-000000000000"],
    "int": ["1"],
    "slug": ["dummy"],
    "str": ["dummy"],
    "path": ["dummy/path"],
}
REGEX_DUMMIES = ["dummy", "1", "dummy-1", "00000000-0000-4000-8000-000000000000", "a:b"]


def dummy_values(param: Param) -> list[str]:
    return DUMMY.get(param.kind, REGEX_DUMMIES)
