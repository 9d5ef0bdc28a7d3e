"""A large, realistic, rule-consistent data set for demonstrations and benchmarks.

``generate(agencies=3000, years=3)`` builds a tree (a city government, its departments,
district governments and theirs), and for every agency and year a report whose tables
satisfy R1–R5 and whose carried-over figures and 现行有效件数 follow last year's (R7,
R11). A few per cent are deliberately imperfect: narrative counts that disagree with
the tables (R8), no fee statement (R9), text copied from last year (R12), late
publication (R13), and drafts with blank cells (R5), so the oversight pages have
something to show. Rows are written with bulk_create; finding counts are computed in
memory from the same documents the rules read. Regions of tens of thousands of agencies
copy their reports from prototypes checked once (``reports.demo.prototypes``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from reports.models import Agency, GeneralSection, Report, Role, Status, User, regions, triage
from reports.rules import Context, check, progress_of
from reports.rules.counts import counts
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.calendar import deadline_for

DEPARTMENTS = (
    "人民政府办公室",
    "发展和改革局",
    "教育局",
    "科学技术局",
    "经济和信息化局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "综合行政执法局",
    "信访局",
    "数据管理局",
    "林业局",
    "体育局",
    "民族宗教事务局",
    "机关事务管理局",
    "金融工作局",
    "投资促进中心",
    "公共资源交易中心",
    "城市管理局",
    "人民防空办公室",
    "档案馆",
    "地方志办公室",
    "行政审批局",
    "粮食和物资储备局",
)
PLACE_FIRST = "东西南北中新青白金玉龙凤云松柏桃梅竹溪湖"
PLACE_SECOND = "山河城江岭塘港桥湾洲林阳安平丰宁和华兴泉"

# Sentences are assembled from parts so that two years of one agency rarely share
# more than a sentence or two (R12 flags reports that repeat over half of last year's).
OPENERS = (
    "本年度",
    "一年来",
    "全年",
    "报告期内",
    "今年以来",
    "我单位",
    "本机关",
    "围绕年度重点任务",
    "按照上级部署",
    "结合工作实际",
    "对照考核要求",
    "坚持问题导向",
)
ACTIONS = (
    "持续完善主动公开目录",
    "及时公开重要政策文件",
    "加强政策解读工作",
    "规范依申请公开办理流程",
    "落实保密审查制度",
    "做好网站公开专栏维护",
    "加强政务新媒体管理",
    "组织开展业务培训",
    "将政务公开纳入年度考核",
    "畅通公众参与渠道",
    "开展规范性文件清理",
    "推进基层政务公开标准化",
    "优化政府信息管理",
    "加强公开平台建设",
    "完善监督保障机制",
)
RESULTS = (
    "公开质量稳步提升",
    "群众满意度明显提高",
    "各项任务按期完成",
    "工作机制更加健全",
    "信息发布更加规范",
    "社会关切得到及时回应",
    "公开时效明显改善",
    "业务能力不断增强",
    "平台服务水平持续提升",
    "制度执行更加有力",
    "公开内容更加丰富",
    "办理质效进一步提高",
)
PROBLEMS = (
    "政策解读的形式还不够丰富",
    "部分栏目信息更新不够及时",
    "依申请公开答复的规范性有待加强",
    "工作人员业务水平参差不齐",
    "公众参与的广度和深度还不够",
    "信息公开的主动性有待提升",
    "基层公开标准化建设仍有差距",
    "公开平台的集约化程度不高",
)
MEASURES = (
    "下一步将丰富解读形式",
    "将建立栏目巡查机制",
    "将加强答复文书审核",
    "将定期组织业务培训",
    "将拓宽公众参与渠道",
    "将完善公开工作考核",
    "将推进平台整合优化",
    "将加强基层工作指导",
)


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENERS)}{rng.choice(ACTIONS)}，{rng.choice(RESULTS)}。"


def _problems(rng: random.Random) -> str:
    parts = [f"一是{rng.choice(PROBLEMS)}，{rng.choice(MEASURES)}。" for _ in range(2)]
    return "".join(parts)


OUTCOME_WEIGHTS = {
    "granted": 40,
    "partially_granted": 6,
    "denied_state_secret": 1,
    "denied_law_prohibited": 1,
    "denied_three_safety_one_stability": 1,
    "denied_third_party": 2,
    "denied_internal_affairs": 2,
    "denied_process_info": 2,
    "denied_enforcement_file": 1,
    "denied_administrative_query": 2,
    "unable_not_held": 22,
    "unable_needs_creation": 4,
    "unable_unclear": 3,
    "not_processed_petition": 4,
    "not_processed_duplicate": 3,
    "not_processed_publication": 1,
    "not_processed_massive": 1,
    "not_processed_confirmation": 1,
    "other_no_correction": 2,
    "other_unpaid_fee": 0,  # needs a fee notice in the narrative: set on purpose below
    "other_other": 3,
}
COLUMN_WEIGHTS = {
    "natural_person": 80,
    "commercial": 12,
    "research": 1,
    "social_welfare": 1,
    "legal_service": 4,
    "other": 2,
}
LAST_YEAR_STATUSES = (
    (None, 5),  # not started
    (Status.DRAFT, 12),
    (Status.SUBMITTED, 13),
    (Status.RETURNED, 5),
    (Status.APPROVED, 15),
    (Status.PUBLISHED, 50),
)


@dataclass
class Plan:
    root: Agency
    agencies: list[Agency] = field(default_factory=list)
    reports: int = 0


def _place_names(rng: random.Random, n: int) -> list[str]:
    names = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
    rng.shuffle(names)
    return names[:n]


def build_tree(root_name: str, n: int, rng: random.Random) -> list[Agency]:
    """``n`` agencies: the city government (root), its departments, district
    governments and theirs, with paths set in bulk (three levels, a few queries)."""
    city = root_name.removesuffix("人民政府")
    root = Agency(name=root_name, is_government=True)
    root.save()
    remaining = n - 1
    city_departments = min(len(DEPARTMENTS), max(0, remaining // 4))
    district_members = remaining - city_departments
    per_district = 60
    n_districts = max(1, -(-district_members // (per_district + 1))) if district_members else 0
    districts_names = _place_names(rng, n_districts)

    level1 = [
        Agency(name=f"{city}{d}", parent=root, path="") for d in DEPARTMENTS[:city_departments]
    ]
    level1 += [
        Agency(name=f"{city}{name}区人民政府", parent=root, is_government=True, path="")
        for name in districts_names
    ]
    _bulk_with_paths(level1, root.path)

    districts = [a for a in level1 if a.is_government]
    left = district_members - len(districts)
    level2: list[Agency] = []
    for i, district in enumerate(districts):
        share = left // len(districts) + (1 if i < left % len(districts) else 0)
        prefix = district.name.removesuffix("人民政府")
        names = [prefix + d for d in DEPARTMENTS[:share]]
        if share > len(DEPARTMENTS):
            towns = _place_names(random.Random(district.name), share - len(DEPARTMENTS))
            names += [f"{prefix}{t}街道办事处" for t in towns]
        level2 += [Agency(name=name, parent=district, path="") for name in names]
    _bulk_with_paths(level2, None)
    return [root, *level1, *level2]


def _bulk_with_paths(agencies: list[Agency], parent_path: str | None) -> None:
    Agency.objects.bulk_create(agencies, batch_size=1000)
    for a in agencies:
        a.path = f"{parent_path or a.parent.path}{a.pk}/"  # type: ignore[union-attr]
    Agency.objects.bulk_update(agencies, ["path"], batch_size=1000)


# --- figures --------------------------------------------------------------------


def _split(rng: random.Random, total: int, weights: dict[str, int]) -> dict[str, int]:
    keys = [k for k, w in weights.items() if w > 0]
    out = dict.fromkeys(weights, 0)
    for key in rng.choices(keys, [weights[k] for k in keys], k=total):
        out[key] += 1
    return out


@dataclass
class History:
    """What next year's report must agree with."""

    carried_forward: dict[str, int]
    in_force: int
    rules_in_force: int
    problems: str
    doc: dict | None = None


def figures_for(rng: random.Random, agency: Agency, history: History | None) -> fig.Figures:
    figures = fig.empty()

    def put(table: str, row: str, col: str | None, value) -> None:
        fig.put(figures, schema.cell(table, row, col), value)

    scale = 6.0 if agency.is_government else rng.choice((0, 0, 0.5, 1, 2, 4, 8))
    received = int(rng.expovariate(1 / scale)) if scale else 0
    new = _split(rng, received, COLUMN_WEIGHTS)
    unpaid_fee = rng.random() < 0.02 and received > 0
    for col in COLUMN_WEIGHTS:
        over = history.carried_forward[col] if history else (1 if rng.random() < 0.05 else 0)
        available = new[col] + over
        forward = min(available, 1 if rng.random() < 0.1 else 0)
        handled = available - forward
        outcomes = _split(rng, handled, OUTCOME_WEIGHTS)
        if unpaid_fee and col == "natural_person" and outcomes["granted"]:
            outcomes["granted"] -= 1
            outcomes["other_unpaid_fee"] += 1
        put("applications", "new_received", col, new[col])
        put("applications", "carried_over", col, over)
        put("applications", "carried_forward", col, forward)
        for row, value in outcomes.items():
            put("applications", row, col, value)

    issued = rng.choice((0, 0, 1, 2, 3, 5, 9))
    last = history.in_force if history else rng.randint(5, 120)
    repealed = min(last, rng.choice((0, 0, 1, 2, 4)))
    put("active_disclosure", "normative_documents", "issued", issued)
    put("active_disclosure", "normative_documents", "repealed", repealed)
    put("active_disclosure", "normative_documents", "in_force", last + issued - repealed)
    rules_last = history.rules_in_force if history else (rng.randint(0, 30) * agency.is_government)
    rules_issued = rng.choice((0, 0, 1)) if agency.is_government else 0
    put("active_disclosure", "rules", "issued", rules_issued)
    put("active_disclosure", "rules", "repealed", 0)
    put("active_disclosure", "rules", "in_force", rules_last + rules_issued)
    put("active_disclosure", "licensing", None, rng.choice((0, 0, 3, 40, 260)))
    put("active_disclosure", "penalty", None, rng.choice((0, 0, 2, 15, 130)))
    put("active_disclosure", "enforcement", None, rng.choice((0, 0, 0, 1, 6)))
    fee = Decimal(0) if rng.random() < 0.85 else Decimal(rng.randint(1, 500_000)) / 10**4
    put("active_disclosure", "fees_10k_yuan", None, fee)
    for block in schema.REVIEW_BLOCKS:
        for part in schema.REVIEW_PARTS:
            value = 1 if scale >= 4 and rng.random() < 0.08 else 0
            put("review_litigation", block.key, part, value)
    return fig.derive_totals(figures)


def narrative(rng: random.Random, figures: fig.Figures, year: int, history: History | None) -> dict:
    apps = figures["applications"]
    received = apps["new_received"]["total"]
    if rng.random() < 0.04:  # a typing slip in the narrative: R8
        received += rng.randint(1, 3)
    general = []
    for heading in schema.STANDARD_GENERAL_HEADINGS:
        body = "".join(_sentence(rng) for _ in range(3))
        if heading.startswith("（二）"):
            body = (
                f"{year}年，本机关受理依申请公开{received}件，"
                f"已办结{apps['handled_total']['total']}件，"
                f"{apps['carried_forward']['total']}件结转下年度继续办理。" + body
            )
        general.append({"heading": heading, "body": body})
    if history and rng.random() < 0.05:  # copied from last year: R12
        problems = history.problems
    else:
        problems = _problems(rng)
        if history:  # what became of last year's problems (R18)
            problems = "上年度存在的问题已逐项整改。" + problems
    if rng.random() < 0.06:  # forgot the fee statement: R9
        other = "无其他需要报告的事项。"
    else:
        other = f"{year}年度本机关未收取政府信息公开信息处理费。"
    if apps["other_unpaid_fee"]["total"]:
        other = f"{year}年度发出收费通知1份，申请人逾期未缴纳，未收取信息处理费。"
    return {"general": general, "problems": problems, "other_matters": other}


def _publication(rng: random.Random, agency: Agency, year: int) -> date:
    deadline = deadline_for(year, agency.is_government)
    if rng.random() < 0.1:  # late: R13
        return deadline + timedelta(days=rng.randint(1, 45))
    return deadline - timedelta(days=rng.randint(0, 25))


def follow_up(agency: Agency, year: int, previous: dict) -> dict:
    """A plausible report of ``agency`` for ``year``, as a document of the interchange
    structure, that follows ``previous`` (its document of the year before): 上年结转
    from 结转下年度, 现行有效件数 carried on, published on time. For the demo, where no
    real report of that year exists. The same agency and year give the same report."""
    rng = random.Random(f"{agency.name}:{year}")

    def number(row: str, col: str) -> int:
        return int(fig.get(previous, schema.cell("active_disclosure", row, col)) or 0)

    forward = previous["applications"]["carried_forward"]
    history = History(
        carried_forward={col: forward.get(col) or 0 for col in COLUMN_WEIGHTS},
        in_force=number("normative_documents", "in_force"),
        rules_in_force=number("rules", "in_force"),
        problems=(previous.get("sections") or {}).get("problems") or "",
    )
    figures = figures_for(rng, agency, history)
    text = narrative(rng, figures, year, history)
    text["other_matters"] = f"{year}年度本机关未收取政府信息公开信息处理费。"
    published_on = deadline_for(year, agency.is_government) - timedelta(days=rng.randint(3, 25))
    return {
        "agency": agency.name,
        "year": year,
        "title": schema.title_for(agency.name, year),
        **figures,
        "sections": {
            **schema.empty_sections(),
            "opening": f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency.name}"
            f"{year}年政府信息公开工作年度报告。",
            **text,
        },
        "signature": {"agency": agency.name, "date": published_on},
    }


# --- the whole data set ----------------------------------------------------------


def generate(
    n_agencies: int,
    years: int,
    last_year: int,
    root_name: str = "示范市人民政府",
    seed: int = 1,
    password: str | None = None,
    progress=None,
    prototypes: bool = False,
) -> Plan:
    """``prototypes``: copy every agency's reports from a few hundred checked once
    (``reports.demo.prototypes``), for regions too large to run the rules on each."""
    rng = random.Random(seed)
    with transaction.atomic(), regions.suspended():
        agencies = build_tree(root_name, n_agencies, rng)
        plan = Plan(agencies[0], agencies)
        if password:
            _users(plan, password)
        history: dict[int, History] = {}
        first = last_year - years + 1
        if prototypes:
            # Imported here: the prototypes are built by this module's functions.
            from reports.demo import prototypes as fast

            plan.reports = fast.fill(agencies, first, last_year, rng, progress)
        else:
            for year in range(first, last_year + 1):
                plan.reports += _year(rng, agencies, year, year == last_year, history)
                if progress:
                    progress(year, plan.reports)
        # Written in bulk, without the signals that keep them.
        regions.rebuild(list(range(first, last_year + 1)), within=plan.root)
    return plan


def _year(
    rng: random.Random,
    agencies: list[Agency],
    year: int,
    is_last: bool,
    history: dict[int, History],
) -> int:
    reports: list[Report] = []
    sections: list[list[dict]] = []
    documents: list[tuple[dict, dict | None]] = []
    for agency in agencies:
        status = Status.PUBLISHED
        if is_last:
            status = rng.choices(*zip(*LAST_YEAR_STATUSES, strict=True))[0]
            if status is None:
                continue
        previous = history.get(agency.pk)
        doc, history[agency.pk] = document(rng, agency, year, status, previous)
        reports.append(report_of(agency, doc, status))
        documents.append((doc, previous.doc if previous else None))
        sections.append(doc["sections"]["general"])
    # Counted once the year's documents all exist: R16 compares each with its siblings'.
    by_parent: dict[int | None, list[dict]] = {}
    for agency_doc, _ in documents:
        by_parent.setdefault(agency_doc["_parent"], []).append(agency_doc)
    found = []
    for report, (doc, last) in zip(reports, documents, strict=True):
        siblings = by_parent[doc["_parent"]] if doc["_parent"] is not None else []
        peers = tuple(d for d in siblings if d is not doc)
        findings = check(doc, Context(previous=last, peers=peers))
        found.append(findings)
        for name, value in counts(findings, progress_of(doc, findings)).items():
            setattr(report, name, value)
    Report.objects.bulk_create(reports, batch_size=500)
    triage.bulk_store(
        ((r, doc, f) for r, (doc, _), f in zip(reports, documents, found, strict=True)),
        batch_size=2000,
    )
    GeneralSection.objects.bulk_create(
        (
            GeneralSection(report=r, position=i, heading=s["heading"], body=s["body"])
            for r, general in zip(reports, sections, strict=True)
            for i, s in enumerate(general)
        ),
        batch_size=2000,
    )
    return len(reports)


def document(
    rng: random.Random, agency: Agency, year: int, status: str, previous: History | None
) -> tuple[dict, History]:
    """The report of ``agency`` for ``year`` in ``status``, following ``previous`` (its
    last year), as the document the rules read, and what next year must agree with."""
    figures = figures_for(rng, agency, previous)
    text = narrative(rng, figures, year, previous)
    if status in (Status.DRAFT, Status.RETURNED) and rng.random() < 0.5:
        for c in schema.stored_cells_of("review_litigation"):
            fig.put(figures, c, None)  # not filled in yet: R5
        fig.derive_totals(figures)
    published_on = _publication(rng, agency, year) if status == Status.PUBLISHED else None
    doc: dict[str, Any] = {
        "agency": agency.name,
        "year": year,
        "title": schema.title_for(agency.name, year),
        **figures,
        "sections": {**schema.empty_sections(), **text},
        "signature": {"agency": agency.name, "date": published_on},
        "published_on": published_on,
        "is_government": agency.is_government,
        "_parent": agency.parent_id,  # not part of the format: groups the siblings
    }
    nd = figures["active_disclosure"]
    return doc, History(
        carried_forward=dict(figures["applications"]["carried_forward"]),
        in_force=nd["normative_documents"]["in_force"],
        rules_in_force=nd["rules"]["in_force"],
        problems=text["problems"],
        doc=doc,
    )


def report_of(agency: Agency, doc: dict, status: str) -> Report:
    """The unsaved report of ``doc`` (its sub-sections are rows of their own)."""
    sections = doc["sections"]
    published_on = doc["published_on"]
    report = Report(
        agency=agency,
        year=doc["year"],
        title=doc["title"],
        status=status,
        problems=sections["problems"],
        other_matters=sections["other_matters"],
        signature_agency=agency.name,
        signature_date=published_on,
        published_on=published_on,
    )
    report.set_figures(doc)
    return report


def _users(plan: Plan, password: str) -> None:
    """An oversight user at the root and at the first district, a clerk at the first
    department: enough to log in and look around."""
    root = plan.root
    district = next((a for a in plan.agencies[1:] if a.is_government), None)
    clerk_agency = next((a for a in plan.agencies if a.parent_id and not a.is_government), None)
    prefix = f"demo{root.pk}"
    specs = [(f"{prefix}-oversight", Role.OVERSIGHT, root)]
    if district:
        specs.append((f"{prefix}-district", Role.OVERSIGHT, district))
    if clerk_agency:
        specs.append((f"{prefix}-clerk", Role.CLERK, clerk_agency))
    for username, role, agency in specs:
        User.objects.create_user(username, password=password, role=role, agency=agency)


def remove(root_name: str) -> bool:
    """Delete a generated tree (its reports, users and agencies); False if absent."""
    root = Agency.objects.filter(name=root_name).first()
    if root is None:
        return False
    # The region's totals go with its agencies.
    with transaction.atomic(), regions.suspended():
        subtree = root.subtree()
        GeneralSection.objects.filter(report__agency__in=subtree).delete()
        Report.objects.filter(agency__in=subtree).delete()
        User.objects.filter(agency__in=subtree).delete()
        agencies = list(subtree.values_list("pk", "path"))
        depth = {pk: path.count("/") for pk, path in agencies}
        for level in sorted(set(depth.values()), reverse=True):
            Agency.objects.filter(pk__in=[pk for pk, d in depth.items() if d == level]).delete()
    return True
