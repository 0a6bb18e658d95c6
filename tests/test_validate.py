"""`govkg validate` accepts the ontology, vocabularies and shapes, and rejects broken data."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli

from govkg import resources
from govkg.validate import validate_paths


def test_ontology_vocabularies_and_shapes_are_accepted():
    code, out, err = run_cli(
        "validate", str(resources.data_dir("ontology")), str(resources.data_dir("shapes")),
        str(resources.data_dir("reference")),
    )
    assert code == 0, out + err
    assert "conforms: yes" in out


def test_broken_city_is_rejected_with_reasons():
    report, _ = validate_paths([FIXTURES / "bad-city.ttl"])
    assert not report.conforms
    messages = "\n".join(f"{r.focus} {r.path} {r.message}" for r in report.violations)
    assert "duty/d1 https://w3id.org/govkg/ns#holder" in messages
    assert "needs a gk:legalBasis" in messages
    assert "gk:validFrom must be before gk:validTo" in messages
    assert "body/dept http://www.w3.org/2000/01/rdf-schema#label" in messages
    assert "body/dept http://purl.org/dc/terms/source" in messages


def test_cli_json_report_and_exit_1():
    code, out, _ = run_cli("validate", "--json", str(FIXTURES / "bad-city.ttl"))
    assert code == 1
    body = json.loads(out)
    assert body["conforms"] is False
    violations = [r for r in body["results"] if r["severity"] == "violation"]
    assert body["counts"]["violation"] == len(violations) >= 5
    assert {"severity", "focus", "path", "value", "message", "shape", "constraint"} <= set(body["results"][0])


def test_cli_text_report_is_readable():
    code, out, _ = run_cli("validate", str(FIXTURES / "bad-city.ttl"))
    assert code == 1
    assert "[violation]" in out and "conforms: no" in out
    assert "职责须有且仅有一个责任主体" in out
