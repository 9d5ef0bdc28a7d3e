"""Every user changes their own password, and sets a new one by e-mail when it is
forgotten (or set their first one, for an account made in the admin or imported):
Django's views with Chinese pages, mail through the mail settings."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from reports.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Zhenhai-report-2025-new"


def test_a_clerk_changes_her_password(client, alice):
    client.force_login(alice)
    page = client.get(reverse("password_change")).getvalue().decode()
    assert "修改密码" in page and "旧密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "您的密码已修改" in client.get(response["Location"]).getvalue().decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW) and not alice.check_password(PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_says_so_in_chinese(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "你的旧密码不正确" in response.getvalue().decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_changing_a_password_needs_a_login_and_a_get_or_post(client, mallory):
    response = client.post(reverse("password_change"), {"old_password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(mallory)
    assert client.delete(reverse("password_change")).status_code == 405
    mallory.refresh_from_db()
    assert mallory.check_password(PASSWORD)


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_a_forgotten_password_is_reset_through_the_mailed_link(client, carol):
    carol.email = "carol@zhenhai.example.gov.cn"
    carol.save()
    response = client.post(reverse("password_reset"), {"email": "Carol@zhenhai.example.gov.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@zhenhai.example.gov.cn"]
    assert message.subject == "政府信息公开工作年度报告系统：设置新密码"
    assert "账号“carol”设置新密码" in message.body
    form = client.get(reset_link(message), follow=True)
    assert "设置新密码" in form.getvalue().decode()
    url = form.redirect_chain[-1][0]
    response = client.post(url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.check_password(NEW)
    # The link is used up.
    again = client.get(reset_link(message), follow=True).getvalue().decode()
    assert "这个链接已失效" in again


def test_an_account_without_a_password_sets_its_first_one_by_mail(client, agencies):
    new = User.objects.create_user("zhang", email="zhang@example.gov.cn", agency=agencies["office"])
    assert not new.has_usable_password()  # as the admin's import makes them
    client.post(reverse("password_reset"), {"email": "zhang@example.gov.cn"})
    assert len(mail.outbox) == 1
    url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(url, {"new_password1": NEW, "new_password2": NEW})
    new.refresh_from_db()
    assert new.check_password(NEW)


def test_unknown_and_inactive_addresses_get_the_same_answer_and_no_mail(client, agencies):
    User.objects.create_user("gone", email="gone@example.gov.cn", is_active=False)
    for email in ("nobody@example.gov.cn", "gone@example.gov.cn"):
        response = client.post(reverse("password_reset"), {"email": email}, follow=True)
        assert "如果该邮箱登记在某个账号下" in response.getvalue().decode()
    assert mail.outbox == []


def test_the_login_page_and_the_menu_lead_to_the_password_pages(client, alice):
    assert reverse("password_reset") in client.get(reverse("login")).getvalue().decode()
    client.force_login(alice)
    assert reverse("password_change") in client.get(reverse("home")).getvalue().decode()
