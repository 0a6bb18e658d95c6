"""IRIs the fast engine reads, as plain strings."""

from __future__ import annotations

GK = "https://w3id.org/govkg/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
SH = "http://www.w3.org/ns/shacl#"
VOCAB = "https://w3id.org/govkg/vocab/"

TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"
LABEL = RDFS + "label"
PREF = SKOS + "prefLabel"
ALT = SKOS + "altLabel"
HIDDEN = SKOS + "hiddenLabel"
NOTATION = SKOS + "notation"
BROADER = SKOS + "broader"
IN_SCHEME = SKOS + "inScheme"
MEMBER = SKOS + "member"
SPATIAL = DCT + "spatial"
SOURCE = DCT + "source"
POST = ORG + "Post"
SH_SEVERITY = SH + "severity"

ROLE_LEAD = VOCAB + "role/lead"
ROLE_COOPERATE = VOCAB + "role/cooperate"
ROLE_SUPERVISE = VOCAB + "role/supervise"
SEV_ORDINARY = VOCAB + "severity/ordinary"
SEVERITY_SCHEME = VOCAB + "severity"
DT_ENFORCEMENT = VOCAB + "duty-type/enforcement"
GAP = VOCAB + "gap/"
GAP_OVERLAP = GAP + "overlap"
GAP_UNCOVERED = GAP + "uncovered"
GAP_COMMUNITY = GAP + "community-overload"

ELI = "https://w3id.org/govkg/eli/"
FALLBACK_GROUNDS = (ELI + "bj/hotline-response/art/12/item/2", ELI + "bj/street-offices/art/17/item/3")

XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
DURATIONS = frozenset({XSD + "duration", XSD + "dayTimeDuration", XSD + "yearMonthDuration"})


def gk(name: str) -> str:
    return GK + name
