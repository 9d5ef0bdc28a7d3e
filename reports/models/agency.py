"""Agencies (a tree: a government above its departments) and the people who work in
them, each with one role."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Left, Length

from reports.spec.text import TextError, clean_text

# A name shorter than this never matches an agency by its ending alone (局, 办公室).
MIN_PARTIAL_NAME = 4


def clean_names(instance: models.Model, *names: str) -> None:
    """The admin's forms and its spreadsheet imports (``full_clean``) judge a name as
    every other input is judged (``spec.text.clean_text``): one line, no control
    characters or markup, within the column's length; the message names the field."""
    errors = {}
    for name in names:
        field = instance._meta.get_field(name)
        assert isinstance(field, models.CharField)
        try:
            value = clean_text(
                getattr(instance, name) or "", max_length=field.max_length, single_line=True
            )
        except TextError as error:
            errors[name] = f"{field.verbose_name}：{error}"
        else:
            setattr(instance, name, value)
    if errors:
        raise ValidationError(errors)


def name_key(name: str) -> str:
    """An agency's name for comparing: NFKC, without spaces or brackets' width."""
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


def path_within(field: str, path: str | models.OuterRef) -> models.Q:
    """``field``, an agency's path (``"path"``, ``"agency__path"``), at or beneath
    ``path``: a string or an outer query's path. Written as a range of the path index,
    not as ``startswith``: against an outer query's path that becomes a LIKE whose
    pattern is computed per row, which no index serves, and PostgreSQL read every
    published report for each region (the public list's regions, 0.6-3 s at 150,000
    agencies). A path ends in "/", and "0" is the character after it, so the paths from
    ``path`` up to ``path`` with its last "/" made "0" are exactly those that start
    with it, compared byte by byte: the column's collation is C (migration 0014)."""
    if isinstance(path, str):
        upper: Any = path[:-1] + "0"
    else:
        upper = Concat(
            Left(path, Length(path) - 1), models.Value("0"), output_field=models.CharField()
        )
    return models.Q(**{f"{field}__gte": path, f"{field}__lt": upper})


class AgencyQuerySet(models.QuerySet["Agency"]):
    def matching(self, name: str) -> list[Agency]:
        """The agencies of this queryset that a published report's title names: the
        one of that exact name; else those whose name ends with it, or that it ends
        with (a title that leaves out or adds the city: 镇海区人民政府办公室 for
        宁波市镇海区人民政府办公室). Never a new agency: a name that matches none or
        several is for a person to decide."""
        key = name_key(name)
        if not key:
            return []
        agencies = list(self.only("pk", "name", "path", "parent_id"))
        exact = [a for a in agencies if name_key(a.name) == key]
        if exact:
            return exact
        partial = []
        for agency in agencies:
            other = name_key(agency.name)
            shorter = min(len(other), len(key))
            if shorter >= MIN_PARTIAL_NAME and (other.endswith(key) or key.endswith(other)):
                partial.append(agency)
        return partial


class Agency(models.Model):
    """An administrative agency. ``path`` materialises the ancestry (``/1/7/12/``) so
    that a subtree is one prefix query."""

    name = models.CharField("机关名称", max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_government = models.BooleanField(
        "人民政府（发布本级政府年度报告）",
        default=False,
        help_text="一级政府的年度报告截止日期为次年3月31日，部门为1月31日。",
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs = {}
            old_path = self.path
            self.path = self._compute_path()
            if self.parent_id and self.pk in self._ancestor_ids():
                raise ValueError("an agency cannot be its own ancestor")
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moving an agency moves its subtree.
                for child in self.children.all():
                    child.save()

    def clean(self) -> None:
        super().clean()
        clean_names(self, "name")

    def _compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else "/"
        return f"{prefix}{self.pk}/"

    def _ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def subtree(self) -> AgencyQuerySet:
        """This agency and every agency beneath it."""
        return Agency.objects.filter(path__startswith=self.path)

    def is_within(self, other: Agency) -> bool:
        """Whether this agency is ``other`` or beneath it."""
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    CLERK = "clerk", "填报人"
    REVIEWER = "reviewer", "审核人"
    OVERSIGHT = "oversight", "主管部门"


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency,
        verbose_name="所属机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        # Wherever a page shows a person (the event log, the explanations of a
        # submission, the admin), it shows the full name, not the login name.
        return self.display_name

    def clean(self) -> None:
        super().clean()
        clean_names(self, "first_name", "last_name")

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK and self.agency_id is not None


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """How the pages name a person: the full name in Chinese order (family name first,
    no space), else the login name; ``系统`` for changes made by no user."""
    if username is None:
        return "系统"
    return f"{last_name or ''}{first_name or ''}".strip() or username
