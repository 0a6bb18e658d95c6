"""govkg: an open knowledge graph of grassroots governance (街乡吹哨、部门报到).

Import has no side effects; the version comes from the installed package metadata, whose one
source is ``owl:versionInfo`` in ``ontology/govkg.ttl``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("govkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"


def load(city: str):
    """Load a city model: ``kb = govkg.load("nanjing-qinhuai")``; see :mod:`govkg.kb`."""
    from govkg.kb import load as _load

    return _load(city)


__all__ = ["__version__", "load"]
