"""Shared by the SPARQL tests (test_queries, test_serve, test_virtuoso): the testville fixture
city, its dataset (built once per test session: the audit takes a while), and how to compare the
who-is-responsible query with the library's routing."""

from __future__ import annotations

import functools
import os
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from govkg.kb import KnowledgeBase, load
from govkg.queries import named_queries, rows
from govkg.server.dataset import Dataset, build_dataset, memory_store

HERE = Path(__file__).resolve().parent
TESTVILLE = HERE / "fixtures" / "sparql" / "testville"
T = "https://w3id.org/govkg/id/testville/"
ROLE_LEAD = "https://w3id.org/govkg/vocab/role/lead"

#: (matter, area, date) cases on testville that cover every routing step the query implements.
MATTERS = ["littering", "appearance", "sewage", "parking", "greening"]
AREAS = ["c1", "c2", "s1", "s2", "d1"]
DATES = ["2017-06-01", "2019-05-01", "2021-05-01", "2023-05-01"]
CASES = [(T + "matter/" + m, T + "area/" + a, d) for m, a, d in product(MATTERS, AREAS, DATES)]


@functools.cache
def city_kb() -> KnowledgeBase:
    return load(TESTVILLE)


@functools.cache
def city_dataset() -> Dataset:
    return build_dataset(city_kb())


@functools.cache
def city_store() -> Any:
    return memory_store(city_dataset())


def ask(name: str, **values: str) -> list[dict[str, str]]:
    """Rows of a named query run on the fixture city's store."""
    from govkg.queries import run_local

    return rows(run_local(city_store(), named_queries()[name].render(values)))


def who_is_responsible(matter: str, area: str, date: str) -> str:
    return named_queries()["who-is-responsible"].render({"matter": matter, "area": area, "date": date})


def answers_from_query(results: dict) -> tuple[set[tuple[str, str, str | None]], str | None]:
    """(respondent, duty, transfer) triples and the lead, from who-is-responsible results."""
    found = rows(results)
    triples = {(r["respondent"], r["duty"], r.get("transfer")) for r in found}
    respondents = {r["respondent"] for r in found}
    leads = {r["respondent"] for r in found if r.get("role") == ROLE_LEAD}
    lead = next(iter(leads)) if len(leads) == 1 else None
    if not leads and len(respondents) == 1:
        lead = next(iter(respondents))
    return triples, lead


def answers_from_route(result: dict) -> tuple[set[tuple[str, str, str | None]], str | None]:
    """The same from the library's routing (RouteResult.to_dict()), bodies only."""
    triples = set()
    for r in result["respondents"]:
        if r.get("kind") != "body":
            continue
        for b in r["basis"]:
            via = b.get("transfer")
            via_iri = via.get("iri") if isinstance(via, dict) else via
            triples.add((r["iri"], b["duty"]["iri"], via_iri))
    lead = result["lead"]["iri"] if result.get("lead") else None
    return triples, lead


def require_tool(found: bool, what: str) -> None:
    """Skip when a tool that .ci/run installs is missing here; in CI (CI set) fail instead."""
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: scripts/install-ci-deps.sh should have installed it")
    pytest.skip(f"{what} is not installed here (scripts/install-ci-deps.sh installs it)")
