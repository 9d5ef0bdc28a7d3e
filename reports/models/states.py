"""The vocabulary of the workflow: a report's states and the steps between them."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"
    PUBLISHED = "published", "已发布"


# Only these can be changed, on every path: the forms, the imports, the admin.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class EventKind(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回修改"
    PUBLISH = "publish", "发布"
    REVISE = "revise", "发起修订"
    CORRECT = "correct", "退回更正"
    # Review by cell (reports.models.review): steps of a 批注 that leave the state as it is.
    ANNOTATE = "annotate", "添加批注"
    ANSWER = "answer", "答复批注"
    RESOLVE = "resolve", "批注已处理"
    REOPEN = "reopen", "重新打开批注"


# The steps that send a report back to its clerk, with the comment saying why.
RETURN_KINDS = (EventKind.RETURN, EventKind.CORRECT)


class Progress(models.TextChoices):
    """Where an agency's report for a year stands, as the oversight pages count it:
    the state of its current revision, except that a correction under way (修订中)
    leaves the report published, since the published version stays in force."""

    NOT_STARTED = "not_started", "未开始"
    DRAFT = Status.DRAFT.value, Status.DRAFT.label
    SUBMITTED = Status.SUBMITTED.value, Status.SUBMITTED.label
    RETURNED = Status.RETURNED.value, Status.RETURNED.label
    APPROVED = Status.APPROVED.value, Status.APPROVED.label
    PUBLISHED = Status.PUBLISHED.value, Status.PUBLISHED.label
    REVISING = "revising", "已发布（修订中）"


# Published, as articles 49 and 50 require: the share an oversight office reports.
COMPLETE = (Progress.PUBLISHED, Progress.REVISING)
