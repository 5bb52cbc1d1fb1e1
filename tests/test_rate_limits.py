"""Rate limits on what anyone may ask for: the public comparison, per client."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from audit.models import RateCount
from audit.rate_limits import Rate, client_address, hit
from tests.test_compare_csv import example

pytestmark = pytest.mark.django_db

SCORES = {"scores": example("runs-seeds.csv")}


@pytest.fixture(autouse=True)
def three_per_minute(settings):
    settings.SEEDAUDIT_COMPARE_RATE = "3/1m"


class TestCompare:
    def test_a_client_over_the_limit_gets_a_429_that_says_when_to_come_back(self, client):
        answers = [client.post(reverse("compare"), SCORES).status_code for _ in range(3)]
        refused = client.post(reverse("compare"), SCORES)

        assert answers == [200, 200, 200]
        assert refused.status_code == 429
        page = refused.content.decode()
        assert "Too many requests: this page takes 3 per minute from each client." in page
        assert "Try again in a minute." in page
        assert 1 <= int(refused["Retry-After"]) <= 60

    def test_the_downloads_count_against_the_same_limit(self, client):
        for name in ("compare", "compare-json", "compare-pdf"):
            assert client.post(reverse(name), SCORES).status_code == 200

        assert client.post(reverse("compare-json"), SCORES).status_code == 429

    def test_other_clients_and_reading_the_page_are_not_limited(self, client, alice):
        for _ in range(4):
            client.post(reverse("compare"), SCORES)

        elsewhere = client.post(reverse("compare"), SCORES, REMOTE_ADDR="198.51.100.7")
        client.force_login(alice)
        logged_in = client.post(reverse("compare"), SCORES)
        client.logout()

        assert (elsewhere.status_code, logged_in.status_code) == (200, 200)
        assert client.get(reverse("compare")).status_code == 200

    def test_bad_input_counts_too(self, client):
        for _ in range(3):
            assert client.post(reverse("compare"), {"scores": "nonsense"}).status_code == 400

        assert client.post(reverse("compare"), SCORES).status_code == 429


class TestCounting:
    def test_counts_are_kept_per_key_and_window(self):
        rate = Rate.parse("2/10s")

        counts = [hit("a", rate), hit("a", rate), hit("a", rate), hit("b", rate)]

        assert counts == [1, 2, 3, 1]
        assert RateCount.objects.count() == 2

    @pytest.mark.parametrize(
        ("text", "limit", "seconds", "words"),
        [
            ("30/10m", 30, 600, "30 per 10 minutes"),
            ("5/h", 5, 3600, "5 per hour"),
            ("100/1d", 100, 86400, "100 per day"),
        ],
    )
    def test_rates_read_as_they_are_written(self, text, limit, seconds, words):
        assert Rate.parse(text) == Rate(limit, seconds, words)

    @pytest.mark.parametrize("text", ["30", "30/10", "ten/m", "5/2d"])
    def test_a_bad_rate_is_a_configuration_error(self, text):
        with pytest.raises(ImproperlyConfigured):
            Rate.parse(text)


class TestClientAddress:
    def test_without_a_proxy_header_the_connection_address_counts(self, settings):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
        )

        assert client_address(request) == "203.0.113.9"

    def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_claims(self, settings):
        settings.SEEDAUDIT_CLIENT_IP_HEADER = "X-Forwarded-For"
        request = RequestFactory().get(
            "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
        )

        assert client_address(request) == "203.0.113.9"

    def test_an_ipv6_client_is_its_network(self):
        request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")

        assert client_address(request) == "2001:db8:1:2::/64"
