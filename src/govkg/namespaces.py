"""Every namespace govkg uses, and one function that binds them all to a graph."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://w3id.org/govkg/"

GK = Namespace(BASE + "ns#")
ONTOLOGY_IRI = BASE + "ontology"
VOCAB = BASE + "vocab/"
DT = Namespace(VOCAB + "duty-type/")
SEV = Namespace(VOCAB + "severity/")
WT = Namespace(VOCAB + "whistle-type/")
RQ = Namespace(VOCAB + "request-type/")
RANK = Namespace(VOCAB + "rank/")
QHP = Namespace(VOCAB + "qinhuai-power/")
BJP = Namespace(VOCAB + "beijing-street-power/")
SWYC = Namespace(VOCAB + "shiwu-yichuangjian/")
TRI = Namespace(VOCAB + "triage-scale/")
GRIDK = Namespace(VOCAB + "grid-kind/")
ST = Namespace(VOCAB + "status/")
ROLE = Namespace(VOCAB + "role/")
LVL = Namespace(VOCAB + "level/")
QUAL = Namespace(VOCAB + "qualifier/")
GAP = Namespace(VOCAB + "gap/")
LAW = Namespace(BASE + "eli/")
SRC = Namespace(BASE + "source/")
ID = BASE + "id/"

ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES: dict[str, Namespace] = {
    "gk": GK,
    "dt": DT,
    "sev": SEV,
    "wt": WT,
    "rq": RQ,
    "rank": RANK,
    "qhp": QHP,
    "bjp": BJP,
    "swyc": SWYC,
    "tri": TRI,
    "gridk": GRIDK,
    "st": ST,
    "role": ROLE,
    "lvl": LVL,
    "qual": QUAL,
    "gap": GAP,
    "law": LAW,
    "src": SRC,
    "org": ORG,
    "cv": CV,
    "cpsv": CPSV,
    "eli": ELI,
    "vann": VANN,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dct": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "time": Namespace(str(TIME)),
    "foaf": Namespace(str(FOAF)),
    "sh": Namespace(str(SH)),
}


def city_namespace(city: str) -> Namespace:
    """The namespace of a city's data: https://w3id.org/govkg/id/<city>/."""
    return Namespace(f"{ID}{city}/")


def bind_all(graph: Graph) -> Graph:
    """Bind every govkg prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for every govkg prefix, for SPARQL queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
