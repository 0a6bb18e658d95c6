"""Loading makes no network request; bad input gets a clear error and exit code, no traceback."""

from __future__ import annotations

import socket

import pytest
from conftest import FIXTURES, run_cli

from govkg import resources
from govkg.errors import InputError
from govkg.loader import load_city_data, load_files, load_ontology, load_reference
from govkg.validate import validate_paths


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def test_the_block_really_blocks(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))
    import urllib.request

    with pytest.raises(Exception, match="network access attempted"):
        urllib.request.urlopen("http://127.0.0.1:9/")


def test_loading_and_validating_makes_no_network_request(no_network):
    assert len(load_ontology()) > 500
    assert len(load_reference()) > 1000
    for city in resources.bundled_cities():
        assert len(load_city_data(city)) > 0
    report, _ = validate_paths([resources.ontology_file()])
    assert report.files


def test_malformed_turtle_names_file_and_line():
    with pytest.raises(InputError) as err:
        load_files([FIXTURES / "malformed.ttl"])
    assert err.value.where.endswith("malformed.ttl")
    assert err.value.line == 6
    assert "malformed.ttl:6:" in str(err.value)


def test_unknown_path_is_named():
    with pytest.raises(InputError, match=r"no-such-file\.ttl: no such file or folder"):
        load_files(["no-such-file.ttl"])


def test_cli_malformed_file_exit_2_no_traceback():
    code, out, err = run_cli("validate", str(FIXTURES / "malformed.ttl"))
    assert code == 2
    assert "malformed.ttl:6:" in err and "invalid RDF syntax" in err
    assert "Traceback" not in err + out


def test_cli_unknown_path_exit_2_no_traceback():
    code, out, err = run_cli("validate", "/no/such/place.ttl")
    assert code == 2
    assert "/no/such/place.ttl: no such file or folder" in err
    assert "Traceback" not in err + out


def test_cli_usage_error_exit_2():
    code, _, err = run_cli("validate")
    assert code == 2 and "usage:" in err


def test_cli_not_rdf_exit_2(tmp_path):
    f = tmp_path / "notes.docx"
    f.write_text("x")
    code, _, err = run_cli("validate", str(f))
    assert code == 2 and "not an RDF file" in err
