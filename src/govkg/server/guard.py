"""Refuse what a read-only, offline SPARQL endpoint must never evaluate.

pyoxigraph evaluates ``SERVICE`` by sending an HTTP request to the named endpoint, so the
server inspects every query *before* it reaches the engine. The query text is split into
SPARQL 1.1 terminals (strings, IRIs, comments, variables, prefixed names, keywords), after the
codepoint escapes (``\\u0053``) that the SPARQL grammar allows anywhere are decoded, and:

- any ``SERVICE`` keyword, in any letter case, anywhere (sub-queries, ``EXISTS``, ``OPTIONAL``),
  is refused: no federation, no outbound request of any kind;
- any SPARQL Update keyword (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``,
  ``ADD``, ``MOVE``, ``COPY``, ``WITH``) is refused: the endpoint is read-only.

Words inside strings, IRIs, comments, variable names and the local part of prefixed names
(``ex:service``, ``?service``, ``<http://x/SERVICE>``) are data, not keywords, and are let
through, as a SPARQL parser would. A keyword split by a comment is two words for the parser too.

pyoxigraph's parser matches keywords without a word boundary (``SERVICEx:q`` is ``SERVICE``
followed by ``x:q``; ``SERVICE:q`` uses the empty prefix; ``trueSERVICE`` is ``true`` then
``SERVICE``), so a bare word, the prefix of a prefixed name, a language tag or a blank-node
label that merely *contains* ``SERVICE`` is refused too. The scan runs twice, on the text as
sent (escapes kept inside strings and IRIs, as the engine reads them) and on the text with
codepoint escapes decoded (as the grammar reads them), and refuses if either finds one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
FEDERATION_KEYWORDS = frozenset({"SERVICE"})

_ECHAR = r"\\[tbnrf\\\"']|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            rf"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*''')",
            rf"(?P<long2>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR}))*\"\"\")",
            rf"(?P<str1>'(?:[^'\\\n\r]|{_ECHAR})*')",
            rf"(?P<str2>\"(?:[^\"\\\n\r]|{_ECHAR})*\")",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            r"(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)",
            r"(?P<bnode>_:[\w.\-]+)",
            r"(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-.:%]|\\.)*)",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Refusal:
    """Why a query is refused: ``kind`` is ``"update"`` or ``"federation"``."""

    kind: str
    keyword: str
    message: str


def _decode_codepoints(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _CODEPOINT.sub(one, text)


def _words(text: str) -> list[tuple[str, str]]:
    """(kind, upper-cased text) of every token that a parser could read as a keyword."""
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            out.append(("word", m.group().upper()))
        elif kind == "pname":
            out.append(("prefix", m.group().split(":", 1)[0].upper()))
        elif kind in ("lang", "bnode"):
            out.append((kind, m.group().upper()))
    return out


def keywords(query: str) -> list[str]:
    """The bare words of a query (keywords and function names), upper-cased, in order."""
    return [w for kind, w in _words(_decode_codepoints(query)) if kind == "word"]


def inspect(query: str) -> Refusal | None:
    """A :class:`Refusal` if the query federates or updates, else None."""
    for text in (query, _decode_codepoints(query)):
        for _kind, word in _words(text):
            if any(k in word for k in FEDERATION_KEYWORDS):
                return Refusal(
                    "federation",
                    "SERVICE",
                    "SERVICE is not allowed: this endpoint answers from its own graph only and makes "
                    "no outbound request of any kind.",
                )
    for word in keywords(query):
        if word in UPDATE_KEYWORDS:
            return Refusal(
                "update",
                word,
                f"{word} is SPARQL Update: this endpoint is read-only (SELECT, ASK, CONSTRUCT and "
                "DESCRIBE queries only).",
            )
    return None
