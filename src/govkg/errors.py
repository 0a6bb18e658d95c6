"""Errors govkg raises for bad input. The CLI turns them into a message and exit code 2."""

from __future__ import annotations

from pathlib import Path


class GovkgError(Exception):
    """Base class of every error govkg reports to a user."""


class InputError(GovkgError):
    """Bad input: an unknown path, a file that does not parse, a term that does not resolve.

    ``where`` names the file (and, when known, the line, sheet, row or column).
    """

    def __init__(self, where: str | Path | None, problem: str, line: int | None = None) -> None:
        self.where = str(where) if where is not None else None
        self.problem = problem
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.where is None:
            return self.problem
        loc = self.where if self.line is None else f"{self.where}:{self.line}"
        return f"{loc}: {self.problem}"
