"""Every URL of the project, for every kind of user, GET, HEAD and POST: the status
and whether the database changed (HEAD answers as GET does: link checkers, caches and
load balancers ask with it). A new URL pattern fails the coverage test until it is
added to MATRIX."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports.models import (
    Annotation,
    AnnotationReply,
    AnnotationStatus,
    ExportJob,
    FileStatus,
    FindingMark,
    GeneralSection,
    ImportFile,
    ImportJob,
    JobKind,
    JobStatus,
    Notice,
    Report,
    ReportEvent,
    User,
)
from tests.helpers import ready_report

pytestmark = pytest.mark.django_db

ANON, CLERK, REVIEWER, OVERSIGHT, OUTSIDER = "anonymous", "alice", "bob", "carol", "mallory"
USERS = (ANON, CLERK, REVIEWER, OVERSIGHT, OUTSIDER)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(USERS, status)


def signed_in(status: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """``status`` for the four signed-in users, ``anonymous`` (login redirect) else."""
    result = {ANON: anonymous, **dict.fromkeys(USERS[1:], status)}
    result.update(overrides)
    return result


# name -> (state of the report the URL is about, expected GET statuses, POST statuses)
MATRIX: dict[str, tuple[str, dict, dict]] = {
    "home": ("draft", signed_in(200), everyone(405)),
    "login": ("draft", everyone(200), everyone(200)),
    "logout": ("draft", everyone(405), everyone(302)),
    "reports:list": ("draft", signed_in(200), signed_in(405)),
    "reports:create": (
        "draft",
        signed_in(405),
        signed_in(403, alice=302, mallory=302),
    ),
    "reports:detail": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:preview": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:history": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:events": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:export_json": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:section": (
        "draft",
        signed_in(200, mallory=404),
        signed_in(403, alice=302, mallory=404),
    ),
    # The autosave answers in JSON: 200 with what it saved, 403 for a user who may read
    # but not edit the draft.
    "reports:autosave": (
        "draft",
        signed_in(405),
        signed_in(403, alice=200, mallory=404),
    ),
    "reports:submit": ("draft", signed_in(405), signed_in(403, alice=302, mallory=404)),
    # 审核通过 and 发布 are asked first: GET is the confirmation page.
    "reports:approve": (
        "submitted",
        signed_in(403, bob=200, mallory=404),
        signed_in(403, bob=302, mallory=404),
    ),
    "reports:return": ("submitted", signed_in(405), signed_in(403, bob=302, mallory=404)),
    "reports:publish": (
        "approved",
        signed_in(403, bob=200, mallory=404),
        signed_in(403, bob=302, mallory=404),
    ),
    # 批注: the reviewer attaches and reopens them while reviewing, the clerk answers
    # and resolves them once the report is back.
    "reports:annotate": ("submitted", signed_in(405), signed_in(403, bob=302, mallory=404)),
    "reports:annotation_answer": (
        "returned",
        signed_in(405),
        signed_in(403, alice=302, mallory=404),
    ),
    "reports:annotation_resolve": (
        "returned",
        signed_in(405),
        signed_in(403, alice=302, mallory=404),
    ),
    "reports:annotation_reopen": (
        "submitted",
        signed_in(405),
        signed_in(403, bob=302, mallory=404),
    ),
    # Everybody's own notices; another person's does not exist for them.
    "reports:notices": ("draft", signed_in(200), signed_in(405)),
    "reports:notice_open": ("draft", signed_in(405), signed_in(404, bob=302)),
    "reports:notices_read_all": ("draft", signed_in(405), signed_in(302)),
    "reports:changes": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:revise": ("published", signed_in(405), signed_in(403, alice=302, mallory=404)),
    "reports:correct": ("published", signed_in(405), signed_in(403, carol=302, mallory=404)),
    "reports:pdf": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:html": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:xlsx": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    "reports:docx": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    # A POST without a workbook is sent back to the report with a message.
    "reports:upload_xlsx": ("draft", signed_in(405), signed_in(403, alice=302, mallory=404)),
    "reports:import_published": (
        "draft",
        signed_in(403, alice=200, mallory=200),
        signed_in(403, alice=400, mallory=400),
    ),
    "reports:confirm_import": ("draft", signed_in(405), signed_in(403, alice=302, mallory=404)),
    # The ready report has no finding: a mark is refused (400) for those who may mark.
    "reports:mark_finding": (
        "submitted",
        signed_in(405),
        signed_in(403, bob=400, carol=400, mallory=404),
    ),
    # A POST without files is shown again with the error.
    "reports:import_batch": ("draft", signed_in(403, carol=200), signed_in(403, carol=400)),
    # Batch imports are carol's: nobody else learns that they exist. A POST without an
    # agency is sent back to the job with a message.
    "reports:import_job": ("draft", signed_in(404, carol=200), signed_in(405)),
    "reports:import_job_status": ("draft", signed_in(404, carol=200), signed_in(405)),
    "reports:import_job_assign": ("draft", signed_in(405), signed_in(404, carol=302)),
    "reports:exports": ("draft", signed_in(403, carol=200), signed_in(403, carol=400)),
    # Jobs are carol's: nobody else learns that they exist.
    "reports:export_job": ("draft", signed_in(404, carol=200), signed_in(405)),
    "reports:export_status": ("draft", signed_in(404, carol=200), signed_in(405)),
    "reports:export_download": ("draft", signed_in(404, carol=200), signed_in(405)),
    "oversight:home": ("submitted", signed_in(403, carol=200), signed_in(405)),
    # A POST makes the export a background job, and shows it.
    "oversight:home_xlsx": ("submitted", signed_in(403, carol=200), signed_in(403, carol=302)),
    "oversight:rollup": ("submitted", signed_in(403, carol=200), signed_in(405)),
    "oversight:rollup_export": ("submitted", signed_in(403, carol=200), signed_in(405)),
    "oversight:findings": ("submitted", signed_in(403, carol=200), signed_in(405)),
    # A POST makes the export a background job, and shows it.
    "oversight:findings_xlsx": ("submitted", signed_in(403, carol=200), signed_in(403, carol=302)),
    "oversight:circular": ("submitted", signed_in(403, carol=200), signed_in(405)),
    "oversight:circular_export": ("submitted", signed_in(403, carol=200), signed_in(405)),
    # The charts of an agency: its own users and its oversight office.
    "oversight:agency": ("submitted", signed_in(200, mallory=404), signed_in(405)),
    # 催报: a POST that chooses no agency is shown again with the error.
    "oversight:urge": ("draft", signed_in(403, carol=200), signed_in(403, carol=400)),
    "public:list": ("published", everyone(200), everyone(405)),
    "public:detail": ("published", everyone(200), everyone(405)),
    "public:pdf": ("published", everyone(200), everyone(405)),
    "public:pdf_ua": ("published", everyone(200), everyone(405)),
    "public:docx": ("published", everyone(200), everyone(405)),
    "public:json": ("published", everyone(200), everyone(405)),
    "public:html": ("published", everyone(200), everyone(405)),
    "public:schema": ("published", everyone(200), everyone(405)),
    "public:api_reports": ("published", everyone(200), everyone(405)),
    "public:api_report": ("published", everyone(200), everyone(405)),
    "public:feed": ("published", everyone(200), everyone(405)),
    "public:bulk_csv": ("published", everyone(200), everyone(405)),
    "public:bulk_json": ("published", everyone(200), everyone(405)),
    "public:regions": ("published", everyone(200), everyone(405)),
    "public:region_year": ("published", everyone(200), everyone(405)),
    # The load balancer's health check: no login, nothing but ok/error.
    "health": ("draft", everyone(200), everyone(405)),
    # Django's password views. A POST without the form's fields is shown again.
    "password_change": ("draft", signed_in(200), signed_in(200)),
    "password_change_done": ("draft", signed_in(200), signed_in(405)),
    "password_reset": ("draft", everyone(200), everyone(200)),
    "password_reset_done": ("draft", everyone(200), everyone(405)),
    # A link with a token that is not valid: the page says so.
    "password_reset_confirm": ("draft", everyone(200), everyone(200)),
    "password_reset_complete": ("draft", everyone(200), everyone(405)),
}

# The (URL, user) pairs whose POST must change the reports; every other request must not.
WRITES = {
    ("reports:create", CLERK),
    ("reports:create", OUTSIDER),  # a report of mallory's own agency
    ("reports:section", CLERK),
    ("reports:autosave", CLERK),
    ("reports:submit", CLERK),
    ("reports:approve", REVIEWER),
    ("reports:return", REVIEWER),
    ("reports:publish", REVIEWER),
    ("reports:revise", CLERK),
    ("reports:correct", OVERSIGHT),
    ("reports:annotate", REVIEWER),
    ("reports:annotation_answer", CLERK),
    ("reports:annotation_resolve", CLERK),
    ("reports:annotation_reopen", REVIEWER),
    ("reports:notice_open", REVIEWER),
    ("oversight:findings_xlsx", OVERSIGHT),  # an export job
    ("oversight:home_xlsx", OVERSIGHT),
}


def project_patterns(resolver=None, namespace: str = "") -> dict[str, URLPattern]:
    """Every named pattern outside the admin (tested on its own below)."""
    resolver = resolver or get_resolver()
    found = {}
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found.update(project_patterns(p, inner))
        elif p.name:
            found[namespace + p.name] = p
    return found


JOB_URLS = {"reports:export_job", "reports:export_status", "reports:export_download"}
IMPORT_JOB_URLS = {"reports:import_job", "reports:import_job_status", "reports:import_job_assign"}


def waiting_import(report: Report, owner) -> ImportFile:
    job = ImportJob.objects.create(
        year=report.year, agency=owner.agency, requested_by=owner, total=1, progress=1
    )
    return ImportFile.objects.create(
        job=job, name="年报.txt", content=b"x", status=FileStatus.NEEDS_AGENCY
    )


def finished_job(report: Report, owner) -> ExportJob:
    return ExportJob.objects.create(
        kind=JobKind.BULK_XLSX,
        year=report.year,
        agency=owner.agency,
        requested_by=owner,
        status=JobStatus.DONE,
        filename="export.xlsx",
        content=b"PK",
    )


def url_for(name: str, report: Report, carol=None) -> str:
    converters = project_patterns()[name].pattern.converters
    kwargs = {}
    if name in JOB_URLS:
        kwargs["pk"] = finished_job(report, carol).pk
    elif name in IMPORT_JOB_URLS:
        file = waiting_import(report, carol)
        kwargs["pk"] = file.job_id
        if "file_pk" in converters:
            kwargs["file_pk"] = file.pk
    elif "annotation_pk" in converters:
        status = AnnotationStatus.RESOLVED if name.endswith("reopen") else AnnotationStatus.OPEN
        note = Annotation.objects.create(
            report=report, page="problems", body="请补充。", status=status
        )
        kwargs.update(pk=report.pk, annotation_pk=note.pk)
    elif name == "reports:notice_open":
        notice = Notice.objects.create(
            recipient=User.objects.get(username=REVIEWER), kind="submit", title="x", url="/"
        )
        kwargs["pk"] = notice.pk
    elif name == "oversight:agency":
        kwargs["pk"] = report.agency_id
    elif "pk" in converters:
        kwargs["pk"] = report.pk
    if "region" in converters:  # the bulk data of the report's government and year
        kwargs["region"] = report.agency.parent_id
        kwargs["year"] = report.year
    if "uidb64" in converters:
        kwargs.update(uidb64="MQ", token="not-a-valid-token")
    if "fmt" in converters:
        kwargs["fmt"] = "xlsx" if name == "oversight:circular_export" else "json"
    if "section" in converters:
        kwargs["section"] = "problems"
    if "fingerprint" in converters:
        kwargs["fingerprint"] = "0" * 40
    return reverse(name, kwargs=kwargs)


def report_in(state: str, users: dict) -> Report:
    report = ready_report()
    if state in ("submitted", "returned", "approved", "published"):
        report.submit(users[CLERK])
    if state == "returned":
        report.return_to_clerk(users[REVIEWER], "请修改。")
    if state in ("approved", "published"):
        report.approve(users[REVIEWER])
    if state == "published":
        report.publish(users[REVIEWER])
    return report


def snapshot() -> tuple:
    return (
        sorted(Report.objects.values_list("pk", "status", "version", "problems")),
        ReportEvent.objects.count(),
        GeneralSection.objects.count(),
        ExportJob.objects.count(),
        sorted(ImportFile.objects.values_list("pk", "status", "agency_id")),
        ImportJob.objects.count(),
        FindingMark.objects.count(),
        sorted(Annotation.objects.values_list("pk", "status")),
        AnnotationReply.objects.count(),
        sorted(Notice.objects.values_list("pk", "read_at")),
    )


POST_DATA = {
    "comment": "请补充第五部分。",
    "problems": "修改后的第五部分。",
    "year": 2030,
    # A 批注 on section 五, or an answer to one.
    "page": "problems",
    "body": "请补充第五部分。",
}


def test_matrix_covers_every_url_pattern_of_the_project():
    assert set(project_patterns()) == set(MATRIX)


CASES = [
    (name, user, method) for name in MATRIX for user in USERS for method in ("GET", "HEAD", "POST")
]


@pytest.mark.parametrize(("name", "user", "method"), CASES)
def test_permission_matrix(client, name, user, method, alice, bob, carol, mallory):
    users = {CLERK: alice, REVIEWER: bob, OVERSIGHT: carol, OUTSIDER: mallory}
    state, get_statuses, post_statuses = MATRIX[name]
    report = report_in(state, users)
    url = url_for(name, report, carol)
    if user != ANON:
        client.force_login(users[user])
    data = dict(POST_DATA, version=Report.objects.get(pk=report.pk).version)
    before = snapshot()
    if method == "GET":
        response = client.get(url)
        expected = get_statuses[user]
    elif method == "HEAD":
        response = client.head(url)
        expected = get_statuses[user]
        assert response.getvalue() == b""
    else:
        response = client.post(url, data)
        expected = post_statuses[user]
    assert response.status_code == expected
    changed = snapshot() != before
    assert changed == (method == "POST" and (name, user) in WRITES)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("state", ["draft", "submitted", "approved"])
def test_nothing_unpublished_is_reachable_on_the_public_site(
    client, user, state, alice, bob, carol, mallory
):
    users = {CLERK: alice, REVIEWER: bob, OVERSIGHT: carol, OUTSIDER: mallory}
    report = report_in(state, users)
    if user != ANON:
        client.force_login(users[user])
    assert client.get(reverse("public:detail", args=[report.pk])).status_code == 404
    assert report.title not in client.get(reverse("public:list")).getvalue().decode()


def test_outsider_never_sees_the_title_of_another_agency_report(client, alice, mallory):
    report = ready_report()
    client.force_login(mallory)
    for url in (reverse("home"), reverse("reports:list")):
        assert report.title not in client.get(url).getvalue().decode()


# --- the admin ----------------------------------------------------------------------


def test_non_staff_users_are_kept_out_of_the_admin(client, alice, bob, carol, mallory):
    report = ready_report()
    for user in (None, alice, bob, carol, mallory):
        if user is not None:
            client.force_login(user)
        for url in (
            reverse("admin:index"),
            reverse("admin:reports_report_change", args=[report.pk]),
            reverse("admin:reports_user_changelist"),
        ):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))


def test_staff_cannot_change_a_locked_report_in_the_admin(client, alice, bob, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="a-long-test-password-1")
    report = report_in("published", {CLERK: alice, REVIEWER: bob})
    client.force_login(admin)
    before = snapshot()
    url = reverse("admin:reports_report_change", args=[report.pk])
    response = client.post(url, {"title": "篡改的标题", "published_on": "2020-01-01"})
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_see_the_event_log_of_a_report_in_the_admin(client, alice, bob, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="a-long-test-password-1")
    report = report_in("published", {CLERK: alice, REVIEWER: bob})
    client.force_login(admin)
    response = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert "流转记录" in page and "审核通过" in page


# --- staff rights per model ---------------------------------------------------------
# Staff members see in the admin what their per-model rights give them and no more;
# no right deletes a locked report, an agency with reports or the superuser's account.

STAFF_NONE, STAFF_VIEW, STAFF_ALL = (
    "staff without rights",
    "staff who view",
    "staff with all rights",
)
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history", "import", "export")

# model -> view -> (no rights, view rights, every right of the model)
STAFF_MATRIX: dict[str, dict[str, tuple[int, int, int]]] = {
    "report": {
        "changelist": (403, 200, 200),
        "add": (403, 403, 403),  # reports are made by clerks only
        "change": (403, 200, 200),  # a published report: read-only for everyone
        "delete": (403, 403, 403),  # a published report
        "history": (403, 200, 200),
    },
    "agency": {
        "changelist": (403, 200, 200),
        "add": (403, 403, 200),
        "change": (403, 200, 200),
        "delete": (403, 403, 403),  # an agency with reports
        "history": (403, 200, 200),
        "import": (403, 403, 200),
        "export": (403, 200, 200),
    },
    "user": {
        "changelist": (403, 200, 200),
        "add": (403, 403, 200),
        "change": (403, 200, 200),  # the superuser's account: read-only to staff
        "delete": (403, 403, 403),  # the superuser's account
        "history": (403, 200, 200),
        "import": (403, 403, 200),
        "export": (403, 200, 200),
    },
}
STAFF_CASES = [
    (model, view, who)
    for model, views in STAFF_MATRIX.items()
    for view in views
    for who in (STAFF_NONE, STAFF_VIEW, STAFF_ALL)
]


def staff_member(who: str, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        who, password="a-long-test-password-1", is_staff=True
    )
    rights = Permission.objects.filter(content_type__app_label="reports")
    if who == STAFF_VIEW:
        rights = rights.filter(codename__startswith="view_")
    if who != STAFF_NONE:
        user.user_permissions.set(rights)
    return user


@pytest.mark.parametrize(("model", "view", "who"), STAFF_CASES)
def test_staff_rights_per_model_in_the_admin(
    client, model, view, who, alice, bob, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")
    report = report_in("published", {CLERK: alice, REVIEWER: bob})
    obj = {"report": report, "agency": report.agency, "user": root}[model]
    client.force_login(staff_member(who, django_user_model))
    args = [obj.pk] if view in ("change", "delete", "history") else []
    url = reverse(f"admin:reports_{model}_{view}", args=args)
    expected = STAFF_MATRIX[model][view][(STAFF_NONE, STAFF_VIEW, STAFF_ALL).index(who)]
    before = snapshot(), django_user_model.objects.filter(is_active=True).count()
    assert client.get(url).status_code == expected
    post = {"post": "yes", "format": "0"} if view in ("delete", "export") else {}
    client.post(url, post)
    assert (snapshot(), django_user_model.objects.filter(is_active=True).count()) == before
    assert django_user_model.objects.filter(pk=root.pk, is_superuser=True).exists()


def test_staff_matrix_covers_every_admin_model_and_its_views():
    from django.contrib.admin.sites import site

    ours = {m._meta.model_name for m in site._registry if m._meta.app_label == "reports"}
    assert ours == set(STAFF_MATRIX)
    assert all(set(views) <= set(ADMIN_VIEWS) for views in STAFF_MATRIX.values())
