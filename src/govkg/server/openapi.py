"""The OpenAPI 3.0 description of ``govkg serve`` (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from govkg import __version__

WHISTLE_FIELDS = ("matter", "area", "at", "severity", "raised_by")
_TEXT_ERROR = {"text/plain": {"schema": {"type": "string"}}}
_RESULTS = {
    "application/sparql-results+json": {"schema": {"type": "object"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "text/turtle": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": "object"}},
}


def _errors(*codes: int) -> dict[str, Any]:
    why = {
        400: "malformed query (the parser's message) or bad parameter",
        403: "SPARQL Update or SERVICE: the endpoint is read-only and makes no outbound request",
        406: "no acceptable media type for this kind of result",
        411: "a POST without Content-Length",
        413: "the request is larger than the request-size limit",
        414: "the request URI is longer than the request-size limit",
        415: "a POST body that is neither application/sparql-query nor form-encoded",
        422: "the result is larger than the result-size limit",
        503: "the query ran past the timeout and was stopped, or every worker stayed busy",
    }
    return {str(c): {"description": why[c], "content": _TEXT_ERROR} for c in codes}


def openapi(service: Any) -> dict[str, Any]:
    limits = service.engine.limits
    query_param = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
                   "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE)."}
    graph_params = [
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
    ]
    format_param = {"name": "format", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv", "turtle", "ntriples",
                                                          "jsonld", "rdfxml"]},
                    "description": "Overrides the Accept header."}
    sparql_errors = _errors(400, 403, 406, 411, 413, 414, 415, 422, 503)
    named_paths: dict[str, Any] = {}
    for q in service.named_queries.values():
        params = [
            {"name": p.name, "in": "query", "required": p.required, "schema": {"type": "string"},
             "description": f"{p.kind}: {p.description}"}
            for p in q.params
        ]
        named_paths[f"/queries/{q.name}"] = {"get": {
            "summary": q.summary, "description": q.description,
            "operationId": f"query_{q.name.replace('-', '_')}",
            "parameters": [*params, format_param],
            "responses": {"200": {"description": "SPARQL results", "content": _RESULTS}, **sparql_errors},
        }}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "govkg SPARQL and routing service",
            "version": __version__,
            "description": (
                f"Read-only SPARQL 1.1 Protocol endpoint over the city '{service.city}' with its inferred "
                "routing and gaps, a JSON route endpoint (街乡吹哨、部门报到: who must answer a whistle) "
                f"and named queries. Limits: query timeout {limits.timeout:g} s, result "
                f"{limits.max_result_bytes} bytes, request {limits.max_request_bytes} bytes."
            ),
        },
        "paths": {
            "/sparql": {
                "get": {"summary": "SPARQL query (query string)", "operationId": "sparql_get",
                        "parameters": [query_param, *graph_params, format_param],
                        "responses": {"200": {"description": "results or graph, by content negotiation",
                                              "content": _RESULTS}, **sparql_errors}},
                "post": {"summary": "SPARQL query (body)", "operationId": "sparql_post",
                         "requestBody": {"required": True, "content": {
                             "application/sparql-query": {"schema": {"type": "string"}},
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object", "required": ["query"],
                                 "properties": {"query": {"type": "string"},
                                                "default-graph-uri": {"type": "string"},
                                                "named-graph-uri": {"type": "string"}}}}}},
                         "responses": {"200": {"description": "results or graph, by content negotiation",
                                               "content": _RESULTS}, **sparql_errors}},
            },
            "/route": {"post": {
                "summary": "Who must answer a whistle (the JSON of `govkg route --json`)",
                "operationId": "route",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["matter", "area"],
                    "properties": {k: {"type": "string"} for k in WHISTLE_FIELDS},
                }}}},
                "responses": {
                    "200": {"description": "the routing answer (docs/routing.md, Output)",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {"description": "bad whistle: unknown matter or area, bad date",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    "413": {"description": "the request is larger than the request-size limit"},
                },
            }},
            "/queries": {"get": {
                "summary": "The named queries and their parameters", "operationId": "queries",
                "responses": {"200": {"description": "list", "content": {"application/json": {}}}},
            }},
            **named_paths,
            "/health": {"get": {
                "summary": "Liveness, dataset size, workers and limits", "operationId": "health",
                "responses": {"200": {"description": "ok", "content": {"application/json": {}}},
                              "503": {"description": "no live query worker"}},
            }},
            "/openapi.json": {"get": {"summary": "This description", "operationId": "openapi",
                                      "responses": {"200": {"description": "OpenAPI 3.0",
                                                            "content": {"application/json": {}}}}}},
        },
    }
