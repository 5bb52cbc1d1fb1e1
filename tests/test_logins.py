"""Logging in: failed logins throttled per account and per address, on the login page and the
admin's; password reset offered only where mail can be sent, and then it sends one."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SEEDAUDIT_LOGIN_FAILURES_PER_USER = "3/15m"
    settings.SEEDAUDIT_LOGIN_FAILURES_PER_ADDRESS = "5/15m"


def log_in(client, username: str, password: str, address: str = "127.0.0.1", url: str = LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


class TestThrottling:
    def test_after_too_many_failures_for_an_account_even_its_password_is_refused(
        self, client, alice
    ):
        failures = [log_in(client, "alice", "guess").status_code for _ in range(3)]

        refused = log_in(client, "alice", "alice-password", address="198.51.100.1")

        assert failures == [200, 200, 200]
        assert refused.status_code == 429
        assert "Too many failed logins for this account or from this address." in (
            refused.content.decode()
        )
        assert re.search(r"Try again in \d+ minutes?\.", refused.content.decode())
        assert "_auth_user_id" not in client.session

    def test_other_accounts_still_log_in(self, client, alice, bob):
        for _ in range(3):
            log_in(client, "alice", "guess")

        assert log_in(client, "bob", "bob-password").status_code == 302

    def test_an_address_that_guesses_many_accounts_is_refused(self, client, alice, bob):
        for name in ("u1", "u2", "u3", "u4", "u5"):
            log_in(client, name, "guess", address="203.0.113.5")

        refused = log_in(client, "bob", "bob-password", address="203.0.113.5")
        elsewhere = log_in(client, "bob", "bob-password", address="198.51.100.1")

        assert (refused.status_code, elsewhere.status_code) == (429, 302)

    def test_a_successful_login_forgets_the_accounts_earlier_failures(self, client, alice):
        for _ in range(2):
            log_in(client, "alice", "guess")
        assert log_in(client, "alice", "alice-password").status_code == 302
        client.logout()

        for _ in range(2):
            log_in(client, "alice", "guess")

        assert log_in(client, "alice", "alice-password").status_code == 302

    def test_the_admin_login_counts_and_is_refused_the_same(self, client, alice):
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        for _ in range(3):
            assert log_in(client, "alice", "guess", url="/admin/login/").status_code == 200

        assert log_in(client, "alice", "alice-password", url="/admin/login/").status_code == 429
        assert log_in(client, "alice", "alice-password").status_code == 429


class TestPasswordReset:
    def test_without_mail_no_reset_is_offered(self, client):
        assert "Forgot your password?" not in client.get(LOGIN).content.decode()
        assert client.get("/accounts/password_reset/").status_code == 404

    def test_with_mail_the_reset_sends_a_link_that_sets_a_new_password(
        self, client, settings, alice
    ):
        settings.SEEDAUDIT_PASSWORD_RESET = True  # tests send mail to django.core.mail.outbox
        alice.email = "alice@example.org"
        alice.save(update_fields=["email"])
        assert "Forgot your password?" in client.get(LOGIN).content.decode()

        sent = client.post("/accounts/password_reset/", {"email": "alice@example.org"})

        assert sent.status_code == 302
        (message,) = mail.outbox
        assert message.to == ["alice@example.org"]
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
        form = client.get(link, follow=True)
        assert "Choose a new password" in form.content.decode()
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
            follow=True,
        )
        assert "Password set" in done.content.decode()
        assert log_in(client, "alice", "a-new-long-password").status_code == 302

    def test_reset_mails_a_client_may_ask_for_are_limited(self, client, settings, alice):
        settings.SEEDAUDIT_PASSWORD_RESET = True
        settings.SEEDAUDIT_PASSWORD_RESET_RATE = "2/h"
        alice.email = "alice@example.org"
        alice.save(update_fields=["email"])

        answers = [
            client.post("/accounts/password_reset/", {"email": "alice@example.org"}).status_code
            for _ in range(3)
        ]

        assert answers == [302, 302, 429]
        assert len(mail.outbox) == 2
