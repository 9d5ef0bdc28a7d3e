"""The refusal every importer raises: nothing is stored, every bad cell is named."""

from __future__ import annotations

from reports.rules import Finding


class ImportRefused(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.message for f in findings))


def refused(message: str, rule: str = "格式") -> ImportRefused:
    return ImportRefused([Finding(rule, "error", message)])
