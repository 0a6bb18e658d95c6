"""govkg serve: SPARQL 1.1 Protocol, content negotiation, security limits, route endpoint, real clients."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from sparql_support import (
    TESTVILLE,
    T,
    answers_from_query,
    answers_from_route,
    city_dataset,
    city_kb,
    city_store,
    require_tool,
    who_is_responsible,
)

from govkg.queries import named_queries, normalise, rows, run_local
from govkg.server import Limits, QueryEngine, guard, make_server, open_service

HERE = Path(__file__).resolve().parent
JS = HERE / "js"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^12 rows on testville
ALL = "SELECT * WHERE { ?s ?p ?o }"
LIMITS = Limits(timeout=3.0, max_result_bytes=256 * 1024, max_request_bytes=64 * 1024)


# ---------------------------------------------------------------------------------------------
# A server in a thread, over the fixture city, with small limits
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    service = open_service(city_kb(), limits=LIMITS, workers=2, dataset=city_dataset())
    httpd = make_server(service, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}", service
    httpd.shutdown()
    httpd.server_close()
    service.engine.close()


@pytest.fixture(scope="module")
def base(server):
    return server[0]


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(base, query, accept=None, **params):
    qs = urllib.parse.urlencode({"query": query, **params}, doseq=True)
    return http(f"{base}/sparql?{qs}", headers={"Accept": accept} if accept else {})


def post_form(base, query, accept=None, field="query"):
    data = urllib.parse.urlencode({field: query}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return http(f"{base}/sparql", data=data, headers=headers)


def post_direct(base, query, accept=None, ctype="application/sparql-query"):
    headers = {"Content-Type": ctype}
    if accept:
        headers["Accept"] = accept
    return http(f"{base}/sparql", data=query.encode(), headers=headers)


def library(query):
    return run_local(city_store(), query)


WHO = who_is_responsible(T + "matter/littering", T + "area/c1", "2021-05-01")


# ---------------------------------------------------------------------------------------------
# Protocol and content negotiation
# ---------------------------------------------------------------------------------------------
def test_get_and_post_give_the_library_answer(base):
    expected = normalise(library(WHO))
    assert expected
    for status, headers, body in (get(base, WHO), post_form(base, WHO), post_direct(base, WHO)):
        assert status == 200
        assert headers["Content-Type"].startswith("application/sparql-results+json")
        assert normalise(json.loads(body)) == expected


@pytest.mark.parametrize(
    ("accept", "ctype", "fmt"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("text/html;q=0.9, application/sparql-results+xml;q=0.5", "application/sparql-results+xml",
         ox.QueryResultsFormat.XML),
    ],
)
def test_select_results_by_content_negotiation(base, accept, ctype, fmt):
    status, headers, body = get(base, WHO, accept)
    assert status == 200 and headers["Content-Type"].startswith(ctype)
    want = ox.parse_query_results(json.dumps(library(WHO)).encode(), ox.QueryResultsFormat.JSON)
    assert _solutions(ox.parse_query_results(body, fmt)) == _solutions(want)


def _solutions(results):
    return sorted(tuple(sorted((v.value, str(s[v])) for v in results.variables if s[v] is not None))
                  for s in results)


def test_select_as_csv(base):
    status, headers, body = get(base, WHO, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {r["respondent"] for r in table} == {r["respondent"] for r in rows(library(WHO))}


def test_ask(base):
    cases = ((f"ASK {{ <{T}body/umb> ?p ?o }}", True), (f"ASK {{ <{T}nothing> ?p ?o }}", False))
    for query, expected in cases:
        status, _, body = get(base, query)
        assert status == 200 and json.loads(body)["boolean"] is expected


CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER (?s = <{T}body/umb>) }}"


@pytest.mark.parametrize(
    ("accept", "ctype", "fmt"),
    [("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
     ("application/ld+json", "application/ld+json", "json-ld"), (None, "text/turtle", "turtle")],
)
def test_construct_graphs_by_content_negotiation(base, accept, ctype, fmt):
    status, headers, body = get(base, CONSTRUCT, accept)
    assert status == 200 and headers["Content-Type"].startswith(ctype)
    got = Graph().parse(data=body, format=fmt)
    expected = Graph()
    for t in city_kb().graph.triples((None, None, None)):
        if str(t[0]) == T + "body/umb":
            expected.add(t)
    assert len(got) == len(expected) > 5
    assert isomorphic(got, expected)


def test_format_parameter_and_unacceptable_types(base):
    status, headers, _ = get(base, WHO, format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, _, body = get(base, CONSTRUCT, "text/csv")
    assert status == 406 and b"text/turtle" in body
    status, _, body = get(base, WHO, format="yaml")
    assert status == 400


def test_named_graphs_and_dataset_parameters(base):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ds = city_dataset()
    status, _, body = get(base, count, **{"default-graph-uri": T + "routing"})
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(ds.graphs[T + "routing"])
    status, _, body = get(base, count)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(ds)
    status, _, body = get(base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]} == set(ds.graphs)


def test_service_description_and_index(base):
    status, headers, body = http(f"{base}/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    assert len(g) > 5
    status, _, body = http(f"{base}/")
    assert status == 200 and json.loads(body)["sparql"] == "/sparql"
    assert http(f"{base}/nowhere")[0] == 404


# ---------------------------------------------------------------------------------------------
# Security: read-only, offline, malformed queries, limits
# ---------------------------------------------------------------------------------------------
UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "drop silent graph <urn:g>",
    "CREATE GRAPH <urn:g>",
    "PREFIX x: <urn:x#> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(base, update):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = json.loads(get(base, count)[2])
    for status, _, body in (
        post_form(base, update, field="update"),
        post_direct(base, update, ctype="application/sparql-update"),
        post_form(base, update),
        get(base, update),
    ):
        assert 400 <= status < 500, (status, body)
        assert b"read-only" in body
    assert status == 403
    assert json.loads(get(base, count)[2]) == before


@pytest.fixture()
def listener():
    """A loopback socket that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                hits.append(conn.recv(4096))
            except OSError:
                hits.append(b"")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", hits
    stop.set()
    thread.join()
    sock.close()


SERVICE_VARIANTS = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "select * where { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE <{url}> { ?s ?p ?o } }",
    "PREFIX r: <{url}#> SELECT * WHERE { SERVICE r:x { ?s ?p ?o } }",
    "PREFIX : <{url}#> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "PREFIX r: <{url}#> SELECT * WHERE { SERVICEr:x { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<{url}>{ ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#comment\n<{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { # SERVICE in a comment, then the real one\n SERVICE <{url}> { ?s ?p ?o } }",
    'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{url}> { ?s ?p ?o } BIND("\\u0022" AS ?y) }',
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { OPTIONAL { SELECT * WHERE { SERVICE <{url}> { ?a ?b ?c } } } }",
    "SELECT * WHERE { ?s ?p trueSERVICE <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { BIND(<{url}> AS ?u) SERVICE ?u { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "ASK { SERVICE <{url}> { ?s ?p ?o } }",
]


def test_pyoxigraph_would_federate(listener):
    """Why the endpoint must refuse SERVICE itself: the engine sends the request."""
    url, hits = listener
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))
    with pytest.raises(Exception):  # noqa: B017 - the listener answers nothing a client understands
        list(store.query(SERVICE_VARIANTS[0].replace("{url}", url)))
    time.sleep(0.3)
    assert hits and b"POST" in hits[0]


@pytest.mark.parametrize("variant", SERVICE_VARIANTS)
def test_service_is_refused_before_evaluation(base, listener, variant):
    url, hits = listener
    query = variant.replace("{url}", url)
    assert guard.inspect(query) is not None
    for status, _, body in (get(base, query), post_form(base, query), post_direct(base, query)):
        assert status == 403, body
        assert b"SERVICE is not allowed" in body
    time.sleep(0.3)
    assert hits == []


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a <http://example.org/SERVICE> } LIMIT 1",
        'SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE in a comment',
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:serviceType ?o }",
        'SELECT * WHERE { ?s ?p """a long SERVICE <x> { } string""" }',
    ],
)
def test_the_word_service_as_data_is_allowed(base, query):
    assert guard.inspect(query) is None
    assert get(base, query)[0] == 200


def test_malformed_query_gets_400_with_the_parser_message(base):
    for query in ("SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p }", "SELECT ?x WHERE { ?x ?p ?o"):
        status, _, body = get(base, query)
        assert status == 400
        text = body.decode()
        assert text.startswith("malformed query: ") and "error at" in text
        try:
            ox.Store().query(query)
        except SyntaxError as exc:
            assert str(exc) in text
    assert get(base, "")[0] == 400


def test_query_timeout_stops_the_query_and_the_server_goes_on(server):
    base, service = server
    before = service.engine.timeouts
    started = time.monotonic()
    status, _, body = get(base, SLOW)
    assert status == 503 and b"timed out" in body and b"3 s" in body
    assert time.monotonic() - started < 30  # it was stopped, not finished
    assert service.engine.timeouts == before + 1
    assert get(base, WHO)[0] == 200  # the killed worker was replaced
    deadline = time.monotonic() + 30
    while service.engine.live_workers < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service.engine.live_workers == 2


def test_timeout_is_configurable():
    """The same query that a 3 s limit stops passes under a larger limit, and a cheap query
    passes under a small one."""
    graphs = city_dataset().graphs
    medium = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a <https://w3id.org/govkg/ns#Duty> }"
    with QueryEngine(graphs, Limits(timeout=0.001), workers=1) as tight:
        assert tight.run(medium).status == 503
    with QueryEngine(graphs, Limits(timeout=60), workers=1) as loose:
        answer = loose.run(medium)
        assert answer.status == 200, answer.body


def test_result_size_limit(base):
    status, _, body = get(base, ALL)
    assert status == 422 and b"result too large" in body and str(LIMITS.max_result_bytes).encode() in body
    assert get(base, ALL + " LIMIT 10")[0] == 200


def test_result_size_limit_is_configurable():
    graphs = city_dataset().graphs
    # Each worker loads its own in-memory copy: without an order, or with blank nodes (labelled
    # afresh by each load), the 400 rows (and so the size) may differ from one copy to the next.
    query = "SELECT * WHERE { ?s ?p ?o FILTER (isIRI(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o LIMIT 400"
    with QueryEngine(graphs, Limits(max_result_bytes=1_000_000), workers=1) as big:
        answer = big.run(query)
        assert answer.status == 200
        size = len(answer.body)
    with QueryEngine(graphs, Limits(max_result_bytes=size - 1), workers=1) as small:
        assert small.run(query).status == 422
    with QueryEngine(graphs, Limits(max_result_bytes=size), workers=1) as exact:
        assert exact.run(query).status == 200


def test_request_size_limit(base):
    padding = "#" + "x" * LIMITS.max_request_bytes + "\n"
    status, _, body = post_direct(base, padding + WHO)
    assert status == 413 and b"request too large" in body
    status, _, _ = post_form(base, padding + WHO)
    assert status == 413
    status, _, _ = get(base, padding + WHO)
    assert status in (413, 414)
    assert post_direct(base, WHO)[0] == 200  # and the server goes on


def test_binds_to_loopback_unless_told():
    from govkg.cli import build_parser

    args = build_parser().parse_args(["serve", "--city", "x"])
    assert args.host == "127.0.0.1"


# ---------------------------------------------------------------------------------------------
# Route, health, OpenAPI, named queries over HTTP
# ---------------------------------------------------------------------------------------------
def post_json(base, path, obj):
    data = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    return http(f"{base}{path}", data=data, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    "whistle",
    [
        {"matter": "乱扔废弃物", "area": "东一社区", "at": "2021-05-01"},
        {"matter": T + "matter/sewage", "area": T + "area/c1", "at": "2021-05-01", "severity": "major"},
        {"matter": "乱停车", "area": "西一社区", "at": "2021-05-01T10:00:00+08:00"},
    ],
)
def test_route_endpoint_gives_the_library_answer(base, whistle):
    status, headers, body = post_json(base, "/route", whistle)
    assert status == 200 and headers["Content-Type"] == "application/json"
    got = json.loads(body)
    expected = city_kb().route(**whistle).to_dict()
    assert got == json.loads(json.dumps(expected))


def test_route_endpoint_errors(base):
    status, _, body = post_json(base, "/route", {"matter": "no such matter", "area": "东一社区"})
    assert status == 400 and "error" in json.loads(body)
    assert post_json(base, "/route", b"{not json")[0] == 400
    assert post_json(base, "/route", {"area": "东一社区"})[0] == 400
    assert post_json(base, "/route", {"matter": "x", "area": "y", "colour": "red"})[0] == 400
    assert http(f"{base}/route")[0] == 405


def test_health(base):
    status, _, body = http(f"{base}/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["quads"] == len(city_dataset()) and health["routing_inferred"] is True
    assert health["limits"]["timeout_s"] == LIMITS.timeout


def test_openapi(base):
    status, _, body = http(f"{base}/openapi.json")
    spec = json.loads(body)
    assert status == 200 and spec["openapi"].startswith("3.")
    for path in ("/sparql", "/route", "/health", "/queries"):
        assert path in spec["paths"]
    for name in named_queries():
        assert f"/queries/{name}" in spec["paths"]
    assert "403" in spec["paths"]["/sparql"]["get"]["responses"]


def test_named_queries_over_http(base):
    status, _, body = http(f"{base}/queries")
    assert {q["name"] for q in json.loads(body)} == set(named_queries())
    params = {"matter": T + "matter/littering", "area": T + "area/c1", "date": "2021-05-01"}
    qs = urllib.parse.urlencode(params)
    status, _, body = http(f"{base}/queries/who-is-responsible?{qs}")
    assert status == 200 and normalise(json.loads(body)) == normalise(library(WHO))
    status, _, body = http(f"{base}/queries/who-is-responsible?area=x")
    assert status == 400 and b"required" in body
    assert http(f"{base}/queries/none")[0] == 404


# ---------------------------------------------------------------------------------------------
# Real clients: SPARQLWrapper (Python) and fetch-sparql-endpoint (JavaScript)
# ---------------------------------------------------------------------------------------------
CLIENT_QUERIES = {
    "who": WHO,
    "powers": named_queries()["street-powers"].render({"street": T + "area/s1"}),
    "gaps": named_queries()["gaps-by-code"].render({}),
    "ask": f"ASK {{ <{T}body/umb> a ?t }}",
}


@pytest.mark.parametrize("name", CLIENT_QUERIES)
def test_sparqlwrapper_gets_the_library_answer(base, name):
    sw = pytest.importorskip("SPARQLWrapper")
    client = sw.SPARQLWrapper(f"{base}/sparql")
    client.setQuery(CLIENT_QUERIES[name])
    client.setReturnFormat(sw.JSON)
    client.setMethod(sw.POST)
    got = client.queryAndConvert()
    expected = library(CLIENT_QUERIES[name])
    if "boolean" in expected:
        assert got["boolean"] is expected["boolean"] is True
    else:
        assert normalise(got) == normalise(expected) and expected["results"]["bindings"]


def test_sparqlwrapper_construct_and_errors(base):
    sw = pytest.importorskip("SPARQLWrapper")
    client = sw.SPARQLWrapper(f"{base}/sparql")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(sw.TURTLE)
    got = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(got) > 5
    client.setQuery("SELEC nonsense")
    client.setReturnFormat(sw.JSON)
    with pytest.raises(sw.SPARQLExceptions.QueryBadFormed):
        client.queryAndConvert()


def _js_rows(result):
    out = []
    for row in result["rows"]:
        cells = []
        for var, t in sorted(row.items()):
            if t["type"] == "NamedNode":
                cells.append((var, "uri", t["value"]))
            elif t["type"] == "BlankNode":
                cells.append((var, "bnode", ""))
            else:
                dt = t.get("datatype", "")
                dt = "" if dt in ("http://www.w3.org/2001/XMLSchema#string",
                                  "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString") else dt
                cells.append((var, f"literal@{t.get('lang', '').lower()}^^{dt}", t["value"]))
        out.append(tuple(cells))
    return sorted(out)


@pytest.fixture(scope="module")
def node():
    exe = shutil.which("node")
    require_tool(exe is not None, "node (Node.js)")
    require_tool((JS / "node_modules" / "fetch-sparql-endpoint").is_dir(),
                 "the npm client in tests/js/node_modules (npm ci)")
    return exe


@pytest.mark.parametrize("name", CLIENT_QUERIES)
def test_javascript_client_gets_the_library_answer(base, node, tmp_path, name):
    query_file = tmp_path / "q.rq"
    query_file.write_text(CLIENT_QUERIES[name], encoding="utf-8")
    proc = subprocess.run([node, str(JS / "query.mjs"), f"{base}/sparql", str(query_file)],
                          capture_output=True, text=True, timeout=120, cwd=JS)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    expected = library(CLIENT_QUERIES[name])
    if "boolean" in expected:
        assert got["boolean"] is expected["boolean"] is True
    else:
        assert _js_rows(got) == normalise(expected) and expected["results"]["bindings"]


def test_javascript_client_construct(base, node, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text(CONSTRUCT, encoding="utf-8")
    proc = subprocess.run([node, str(JS / "query.mjs"), f"{base}/sparql", str(query_file)],
                          capture_output=True, text=True, timeout=120, cwd=JS)
    assert proc.returncode == 0, proc.stderr
    triples = json.loads(proc.stdout)["triples"]
    expected = [t for t in city_kb().graph if str(t[0]) == T + "body/umb"]
    assert len(triples) == len(expected) > 5


# ---------------------------------------------------------------------------------------------
# The command: starts, answers, stops on SIGTERM
# ---------------------------------------------------------------------------------------------
def test_serve_command_starts_answers_and_stops_gracefully():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "govkg", "serve", "--city", str(TESTVILLE), "--port", "0", "--no-gaps",
         "--workers", "1"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    try:
        url = None
        deadline = time.monotonic() + 300
        lines = []
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "SPARQL at " in line:
                url = line.split("SPARQL at ", 1)[1].split()[0]
        assert url and url.startswith("http://127.0.0.1:"), "".join(lines)
        base = url.removesuffix("/sparql")
        assert http(f"{base}/health")[0] == 200
        assert normalise(json.loads(get(base, WHO)[2])) == normalise(library(WHO))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        rest = proc.stderr.read()
        assert "stopped" in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_command_refuses_a_bad_city():
    proc = subprocess.run([sys.executable, "-m", "govkg", "serve", "--city", "/no/such/city"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no such" in proc.stderr and "Traceback" not in proc.stderr


def test_who_is_responsible_over_http_agrees_with_route(base):
    for matter, area, day in [(T + "matter/appearance", T + "area/c2", "2021-05-01"),
                              (T + "matter/greening", T + "area/c1", "2022-05-01")]:
        body = json.loads(get(base, who_is_responsible(matter, area, day))[2])
        expected = city_kb().route(matter=matter, area=area, at=day).to_dict()
        assert answers_from_query(body) == answers_from_route(expected)
