"""Saving a page of the section editor: the form of each page, and one save behind both
保存本部分 and the autosave.

Both lock the report row, check that the user may still edit it, compare the version the
page was rendered from with the report's (``history.conflicts``) and validate the input
with the same forms. They differ only in what happens to input that fails validation:
保存本部分 saves nothing and shows the page again; the autosave saves every field that
passed and reports the others, which the page keeps as typed and marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reports.io.forms import GeneralSectionFormSet, InfoForm, page_form_class
from reports.models import Report, access, counts, history, provenance, shares
from reports.models.prepared import PreparedQuery
from reports.printing import prerender


def section_form(report: Report, section: str, data: Any = None) -> Any:
    """The form of an editing page, bound to ``data`` when given."""
    if section == "info":
        return InfoForm(data, instance=report)
    if section == "general":
        return GeneralSectionFormSet(data, instance=report, prefix="general")
    return page_form_class(section)(data, instance=report)


@dataclass
class SectionSave:
    """What a save of a page did. ``saved`` is True when the whole input was stored;
    ``saved_fields`` names what a partial save stored; ``errors`` are the messages of
    the fields that failed, by the input's ``name``."""

    report: Report
    form: Any
    conflict: history.Conflict | None = None
    saved: bool = False
    saved_fields: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # The general page: the sub-section id of each form saved, by form index.
    section_ids: dict[int, int] = field(default_factory=dict)


def _locked(pk: int, agency: int) -> Any:
    # ``imported`` is read by the statement that takes the lock: an import committed
    # while the save waited for it is seen in the row (its new version, so the save
    # of a page the import changed is a conflict) but not in the flag, which then only
    # leaves the import's cells this save changed marked as still to check.
    return (
        Report.objects.select_for_update()
        .filter(access.own_agency_reports(agency), pk=pk)
        .annotate(imported=provenance.imported())
        .values_list(*Report.columns(), "imported")
    )


# The row a save changes, read locked by SQL compiled once per process: compiling its
# 192 columns cost every save a millisecond (bench/load.py).
_LOCKED = PreparedQuery(_locked)


def editable_report(pk: int, user: Any) -> Report:
    """Report ``pk``, its row locked (inside a transaction), when ``user`` may edit it;
    ``Report.DoesNotExist`` when the user may not even see it, ``PermissionDenied``
    (saying why) when it is locked for them. Only a clerk of the report's agency ever
    edits, so the row is looked for among that agency's reports: outsiders, reviewers
    and oversight offices never lock it."""
    agency = access.editing_agency(user)
    rows = _LOCKED.rows(pk=pk, agency=agency) if agency is not None else []
    if rows:
        report = Report.from_row(rows[0], ("imported",))
        report.agency = user.agency
        if report.can_edit(user):
            return report
    seen = Report.objects.visible_to(user).filter(pk=pk).first()
    if seen is None:
        raise Report.DoesNotExist("no such report")
    raise PermissionDenied(seen.locked_reason() or "您没有修改本报告的权限。")


def save_section(pk: int, section: str, data: Any, user: Any, *, partial: bool) -> SectionSave:
    """Validate ``data`` for ``section`` of report ``pk`` and store it, all of it or,
    with ``partial``, every field that passed. Raises ``editable_report``'s errors when
    the user may not (or no longer) edit the report."""
    base_version = history.parse_version(data.get("version"))
    with transaction.atomic():
        # Lock the row: two saves of the same report are checked one after the other.
        report = editable_report(pk, user)
        # Compared before the form is validated: validating copies the input onto the
        # instance.
        conflict = history.conflicts(report, base_version, section)
        form = section_form(report, section, data)
        result = SectionSave(report, form, conflict)
        if conflict is not None:
            return result
        # The regions' totals are shifted by what the save changes: ``saving`` takes
        # the report as it is, locked, before validation copies the input onto it.
        with shares.saving(report):
            valid = form.is_valid()
            result.errors = _errors(form)
            # Counted once, however many sub-sections the form saved, from the report
            # as saved.
            with counts.deferred(in_hand=report):
                if valid:
                    # 保存本部分, not an autosave: the clerk is done with the page for now.
                    with prerender.without_delay(not partial):
                        if section == "general":
                            form.save()
                            # The formset saves sub-sections only; the report changed too.
                            report.save(update_fields=["updated_at"])
                        else:
                            # Validation copied the input onto the locked row: only the
                            # columns that changed are written (and the version), not
                            # all 192 (an UPDATE Django took a millisecond to compile).
                            report.save(update_fields=form.changed_data)
                    result.saved = True
                    result.saved_fields = list(getattr(form, "changed_data", []))
                    if section == "general":
                        result.section_ids = {
                            i: f.instance.pk
                            for i, f in enumerate(form.forms)
                            if f.instance.pk is not None and f not in form.deleted_forms
                        }
                elif partial and section != "general":
                    # Validation copied every field that passed onto the instance and
                    # none that failed; store those. (The sub-sections of 一 are saved
                    # together or not at all: a partial formset would renumber them.)
                    fields = [f for f in form.changed_data if f not in form.errors]
                    if fields:
                        report.save(update_fields=fields)
                    result.saved_fields = fields
            # A clerk who changed an imported cell has checked it.
            provenance.confirm_changed(report, result.saved_fields, user)
    return result


def _errors(form: Any) -> dict[str, list[str]]:
    """The messages of every field that failed, by the name of its input."""
    errors: dict[str, list[str]] = {}
    for f in getattr(form, "forms", None) or [form]:
        for name, messages in f.errors.items():
            key = f.add_prefix(name) if name != "__all__" else "__all__"
            errors.setdefault(key, []).extend(str(m) for m in messages)
    for message in getattr(form, "non_form_errors", list)():
        errors.setdefault("__all__", []).append(str(message))
    return errors
