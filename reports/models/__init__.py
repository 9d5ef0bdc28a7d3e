"""The models of the reports app, one module per concept (as wagtail's ``models``):

- ``agency`` — agencies (a tree) and users with an agency and a role;
- ``states`` — the workflow's states and steps;
- ``access`` — who may do what: every role decision;
- ``report`` — the report (one column per stored cell and narrative field), its
  sub-sections of 一, ``Report.objects.current()``;
- ``workflow`` — the transitions, revisions and the event log;
- ``saves`` — a report's saves as the changes its pages show (the per-field history);
- ``history`` — what a reviewer reads of the changes, and the optimistic lock of the forms;
- ``counts`` — the stored finding counts (and findings) kept equal to the rules';
- ``regions`` — each region's totals per year, stored and kept equal to its reports';
- ``shares`` — a report's share of them, and a save's difference added to them;
- ``triage`` — stored findings, their fingerprints and the marks 确认问题 / 不是问题;
- ``jobs`` — background jobs: exports and batch imports;
- ``review`` — 批注 on cells, tables and sections, and their answers;
- ``notices`` — 消息 and e-mails: what each step tells whom, 催报 and reminders;
- ``provenance`` — where an imported report's cells came from, and their check;
- ``backends`` — the authentication backend.
"""

from reports.models.agency import Agency, Role, User
from reports.models.jobs import ExportJob, FileStatus, ImportFile, ImportJob, JobKind, JobStatus
from reports.models.notices import Notice, NoticeKind
from reports.models.provenance import CellState, ImportedCell, ImportLog
from reports.models.regions import RegionTotal
from reports.models.report import GeneralSection, Report, ReportQuerySet
from reports.models.review import Annotation, AnnotationReply, AnnotationStatus
from reports.models.states import EDITABLE_STATUSES, EventKind, Status
from reports.models.triage import FindingMark, StoredFinding, TriageError, Verdict
from reports.models.workflow import ReportEvent, WorkflowError

__all__ = [
    "EDITABLE_STATUSES",
    "Agency",
    "Annotation",
    "AnnotationReply",
    "AnnotationStatus",
    "CellState",
    "EventKind",
    "ExportJob",
    "FileStatus",
    "FindingMark",
    "GeneralSection",
    "ImportFile",
    "ImportJob",
    "ImportLog",
    "ImportedCell",
    "JobKind",
    "JobStatus",
    "Notice",
    "NoticeKind",
    "RegionTotal",
    "Report",
    "ReportEvent",
    "ReportQuerySet",
    "Role",
    "Status",
    "StoredFinding",
    "TriageError",
    "User",
    "Verdict",
    "WorkflowError",
]
