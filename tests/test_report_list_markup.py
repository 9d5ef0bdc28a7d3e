"""The report list's 新建 form writes its year field in one pass
(``reports.templatetags.bootstrap_fields``), exactly as crispy-forms' template did, blank
and refused with its message."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.urls import reverse

from reports.io.forms import NewReportForm
from reports.templatetags.bootstrap_fields import as_bootstrap_field
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("data", [None, {"year": ""}, {"year": "abc"}, {"year": "2024"}])
def test_the_year_field_is_what_crispy_wrote(agencies, data):
    make_report(agencies["office"], 2024)  # 2024 exists: refused with a message
    form = NewReportForm(data, agency=agencies["office"])
    if data is not None:
        assert not form.is_valid()
    assert as_bootstrap_field(form["year"]) == as_crispy_field(form["year"])


def test_the_list_shows_the_refused_year_with_its_message(client, alice, agencies):
    make_report(agencies["office"], 2024)
    client.force_login(alice)
    response = client.post(reverse("reports:create"), {"year": "2024"})
    assert response.status_code == 400
    form = NewReportForm({"year": "2024"}, agency=agencies["office"])
    form.is_valid()
    assert str(as_crispy_field(form["year"])) in response.getvalue().decode()
