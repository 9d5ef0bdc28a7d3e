"""Keeping the finding counts stored with each report equal to what the rules find.

The oversight pages list thousands of reports with their counts; running the rules for
each on every request would cost a query per report and seconds of CPU. The counts
(``rules.counts``) are therefore refreshed whenever a report or one of its sub-sections
is saved, and for the same agency's reports of the next year as well, since R7, R11
and R12 read this one. A write of several steps (an import, a revision, a form of
several sub-sections) runs inside ``deferred()`` and is counted once, when it is done,
with everything it wrote — sub-sections bulk-created without signals included.
``manage.py refresh_finding_counts`` recomputes them all after a rule changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_delete, post_save

from reports.rules.counts import COUNT_FIELDS, counts


def refresh(report: Any, as_stored: bool = False) -> None:
    """Recompute the stored counts and findings of ``report`` (an update, so no signal
    fires again). ``as_stored``: the report's counts are the row's, just read (or
    locked), so an UPDATE that would write the same numbers is left out: most saves of
    a cell leave the counts as they were."""
    # Imported here: the workflow imports this module before the report model exists,
    # and triage's models refer to it.
    from reports.models import regions, shares, triage

    doc, findings, progress = report.assessment()
    # What the recount found, for the request that saved ``report`` to show (the
    # autosave's answer) without running the rules again.
    report.assessed = (findings, progress)
    values = counts(findings, progress)
    if not as_stored or any(getattr(report, name) != value for name, value in values.items()):
        type(report).objects.filter(pk=report.pk).update(**values)
    replaced, stored = triage.store(report, doc, findings)
    for name, value in values.items():
        setattr(report, name, value)
    old = shares.before(report)
    if old is None or not shares.shift(old, replaced, report, stored):
        regions.note(report)  # its region's reports with errors


def refresh_with_next_year(report: Any, as_stored: bool = False) -> None:
    """``report`` and every revision of the agency's report of the next year, whose
    cross-year rules compare with the current revision of this year."""
    refresh(report, as_stored)
    model = type(report)
    following = model.objects.filter(agency_id=report.agency_id, year=report.year + 1)
    # Asked first without the 170 cell columns: a draft being filled in has none yet.
    pks = list(following.order_by().values_list("pk", flat=True))
    if pks:
        for other in model.objects.filter(pk__in=pks).select_related("agency"):
            refresh(other, as_stored=True)


# The reports changed inside ``deferred()``, by model and primary key; None outside.
_pending: ContextVar[set[tuple[Any, int]] | None] = ContextVar("pending_counts", default=None)


@contextmanager
def deferred(in_hand: Any = None) -> Iterator[None]:
    """Count once at the end: inside, a save of a report or a sub-section only notes
    the report, and the reports noted (and ``note``d) are counted when the block ends
    without an error. Nested blocks leave the counting to the outermost. ``in_hand``:
    a report the block saves (its agency loaded) and nothing else writes meanwhile,
    counted as it is in hand rather than read again, 192 columns (a page's save)."""
    if _pending.get() is not None:
        yield
        return
    pending: set[tuple[Any, int]] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for model, pk in sorted(pending, key=lambda item: item[1]):
        if in_hand is not None and (type(in_hand), in_hand.pk) == (model, pk):
            report = in_hand
        else:
            report = model.objects.filter(pk=pk).select_related("agency").first()
        if report is not None:
            refresh_with_next_year(report, as_stored=True)


def note(report: Any) -> None:
    """Count ``report`` again: now, or at the end of the ``deferred()`` block."""
    pending = _pending.get()
    if pending is None:
        refresh_with_next_year(report)
    else:
        pending.add((type(report), report.pk))


# Saving only these cannot change an error, warning or blank count (the status does not
# enter the rules; the publication dates only feed R13, an info), so workflow steps
# such as submitting or publishing do not pay for a recount.
NOT_COUNTED = {
    *COUNT_FIELDS,
    "status",
    "published_on",
    "first_published_on",
    "is_current",
    "published_pdf",
    "updated_at",
    "created_by",
    "version",
}


def _report_saved(
    sender: type, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    if update_fields and set(update_fields) <= NOT_COUNTED and _pending.get() is None:
        # Not counted again, but a step of the workflow moves the region's progress.
        # (Inside ``deferred()`` the report is counted at the end, which does both.)
        from reports.models import regions

        regions.note(instance)
        return
    note(instance)


def _section_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # A deletion that did not start from this sub-section (a report deleted with its
    # sub-sections, an import replacing them all) is a bulk write that recounts once
    # itself when it is done, or leaves nothing to count.
    origin = kwargs.get("origin", instance)
    if raw or origin is not instance:
        return
    report_model = sender._meta.get_field("report").related_model
    pending = _pending.get()
    if pending is not None:
        pending.add((report_model, instance.report_id))
        return
    report = report_model.objects.filter(pk=instance.report_id).select_related("agency").first()
    if report is not None:
        refresh_with_next_year(report, as_stored=True)


def connect(report_model: type, section_model: type) -> None:
    post_save.connect(_report_saved, sender=report_model, dispatch_uid="counts_report")
    post_save.connect(_section_changed, sender=section_model, dispatch_uid="counts_section")
    post_delete.connect(_section_changed, sender=section_model, dispatch_uid="counts_deleted")
