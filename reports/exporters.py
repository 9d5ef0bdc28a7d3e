"""File writers of ``export_report --format``, by format name.

Each writer takes a saved report and a ``pathlib.Path`` and writes the file. Imports
are lazy so that the command starts without loading every library.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def _xlsx(report, output: Path) -> None:
    from .xlsx import write_report

    write_report(report, output)


def _docx(report, output: Path) -> None:
    from .docx_export import write_report

    write_report(report, output)


WRITERS: dict[str, Callable] = {"xlsx": _xlsx, "docx": _docx}
