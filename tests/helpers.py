"""Plain helpers to build reports in tests."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

from django.conf import settings

from reports.io.imports import import_document
from reports.io.newyear import start_report
from reports.models import Agency, Report
from reports.spec import schema


def seed_paths() -> list[Path]:
    return sorted(Path(settings.SEEDS_DIR).glob("*.json"))


def load_seed(index: int) -> dict:
    return json.loads(seed_paths()[index].read_text(encoding="utf-8"))


def seed_001() -> dict:
    """宁波市镇海区人民政府办公室 2023: the seed with the most non-zero figures."""
    return load_seed(1)


def complete_doc(raw: dict) -> dict:
    """A seed with narrative added, so that it passes every rule."""
    data = copy.deepcopy(raw)
    data["sections"] = {
        "opening": "根据《中华人民共和国政府信息公开条例》编制本报告。",
        "general": [
            {"heading": h, "body": "本年度工作正常开展。"} for h in schema.STANDARD_GENERAL_HEADINGS
        ],
        "problems": "存在的问题是公开内容不够丰富，下一步将加以改进。",
        "other_matters": "本年度未收取信息处理费。",
    }
    data["signature"] = {"agency": data["agency"], "date": "2024-01-10"}
    return data


def ensure_agency(raw: dict) -> Agency:
    """The agency a document names, created here explicitly: imports never create one."""
    agency, _ = Agency.objects.get_or_create(name=raw["agency"])
    return agency


def ensure_seed_agencies() -> list[Agency]:
    return [ensure_agency(load_seed(i)) for i in range(len(seed_paths()))]


def import_seed(index: int, complete: bool = False) -> Report:
    raw = load_seed(index)
    ensure_agency(raw)
    report, _ = import_document(complete_doc(raw) if complete else raw)
    return report


def make_report(agency: Agency, year: int = 2024, figures: dict | None = None, **fields) -> Report:
    """A draft of ``agency``; ``figures`` maps cell field names (e.g.
    ``app_new_received_natural_person``) to values, other fields go to the model."""
    report = start_report(agency, year)
    for name, value in (figures or {}).items():
        setattr(report, name, value)
    for name, value in fields.items():
        setattr(report, name, value)
    report.save()
    return report


def general_post(forms: list[dict], initial: int | None = None) -> dict:
    """The sub-section formset of section 一 as the page posts it; ``initial`` forms
    (by default those with an id) are existing sub-sections."""
    if initial is None:
        initial = sum(1 for f in forms if f.get("id"))
    data = {
        "general-TOTAL_FORMS": str(len(forms)),
        "general-INITIAL_FORMS": str(initial),
        "general-MIN_NUM_FORMS": "0",
        "general-MAX_NUM_FORMS": "1000",
    }
    for i, f in enumerate(forms):
        for key, value in f.items():
            data[f"general-{i}-{key}"] = value
    return data


def fill_zeros(report: Report) -> Report:
    for c in schema.STORED_CELLS:
        if getattr(report, c.field) is None:
            setattr(report, c.field, 0)
    report.save()
    return report


def ready_report() -> Report:
    """宁波市镇海区人民政府办公室 2023, complete: a draft with no findings at all."""
    return import_seed(1, complete=True)


def published_report(clerk, reviewer) -> Report:
    """The ready report taken through submit, approve and publish."""
    report = ready_report()
    report.submit(clerk)
    report.approve(reviewer)
    report.publish(reviewer)
    return report


def add_districts(region: Agency, n: int, start: int = 1, year: int = 2023) -> list[Agency]:
    """``n`` street offices beneath ``region``, each above one department (so each is a
    region), with the stored totals of ``year`` rebuilt as refresh_region_totals would."""
    from reports.models import regions

    districts = []
    with regions.suspended():
        for i in range(start, start + n):
            district = Agency.objects.create(name=f"镇海区第{i:02d}街道办事处", parent=region)
            Agency.objects.create(name=f"镇海区第{i:02d}街道党政办", parent=district)
            districts.append(district)
    regions.rebuild([year], within=region)
    return districts


def nested_governments(n: int) -> list[Agency]:
    """``n`` governments one inside the other with a published 2023 report at the
    bottom: ``n`` regions the public may narrow to, at the cost of one report."""
    from reports.models import Status

    chain: list[Agency] = []
    parent = None
    for i in range(1, n + 1):
        parent = Agency.objects.create(
            name=f"第{i:02d}县人民政府", parent=parent, is_government=True
        )
        chain.append(parent)
    office = Agency.objects.create(name=f"第{n:02d}县人民政府办公室", parent=parent)
    report = make_report(office, 2023)
    Report.objects.filter(pk=report.pk).update(
        status=Status.PUBLISHED, published_on=date(2024, 1, 20)
    )
    return chain
