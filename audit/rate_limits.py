"""Rate limits: requests per client, failed logins per account and per address.

Counts are kept in fixed time windows in the database (`RateCount`), so that every gunicorn
worker, on every machine, counts against the same limit with nothing more to install.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import RateCount

RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")
UNITS = {"s": ("second", 1), "m": ("minute", 60), "h": ("hour", 3600), "d": ("day", 86400)}
# Windows end within a day, so rows older than that count for nothing.
LONGEST = timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Rate:
        """A rate written as "30/10m" (30 per 10 minutes), "5/h", "100/1d"; at most a day."""
        match = RATE.fullmatch(text)
        if not match:
            raise ImproperlyConfigured(f"{text!r} is not a rate such as '30/10m' or '5/h'")
        limit, number, unit = match.groups()
        name, seconds = UNITS[unit]
        count = int(number or 1)
        if not 0 < count * seconds <= LONGEST.total_seconds():
            raise ImproperlyConfigured(f"The rate {text!r} needs a period of a day at most")
        per = f"{count} {name}s" if count > 1 else name
        return cls(int(limit), count * seconds, f"{limit} per {per}")

    def window(self, now: datetime) -> datetime:
        start = math.floor(now.timestamp() / self.seconds) * self.seconds
        return datetime.fromtimestamp(start, tz=UTC)

    def retry_after(self, now: datetime) -> int:
        """Seconds until the current window ends."""
        return max(1, math.ceil((self.window(now) - now).total_seconds() + self.seconds))


def rate_setting(name: str) -> Rate:
    return Rate.parse(getattr(settings, name))


def hits(key: str, rate: Rate) -> int:
    """How many times `key` was counted in the current window."""
    window = rate.window(timezone.now())
    return (
        RateCount.objects.filter(key=key[:200], window=window)
        .values_list("hits", flat=True)
        .first()
        or 0
    )


def hit(key: str, rate: Rate) -> int:
    """Count one more for `key` and return the count of the current window."""
    key, window = key[:200], rate.window(timezone.now())
    counts = RateCount.objects.filter(key=key, window=window)
    with transaction.atomic():
        if not counts.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, window=window, hits=1)
            except IntegrityError:  # another worker made the row first
                counts.update(hits=F("hits") + 1)
            else:
                RateCount.objects.filter(window__lt=timezone.now() - LONGEST).delete()
        return counts.values_list("hits", flat=True).get()


def forget(key: str) -> None:
    RateCount.objects.filter(key=key[:200]).delete()


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind a proxy the last address of the header it
    sets (SEEDAUDIT_CLIENT_IP_HEADER); an IPv6 client is its /64 network, which it owns whole."""
    address = request.META.get("REMOTE_ADDR", "")
    if header := settings.SEEDAUDIT_CLIENT_IP_HEADER:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = forwarded.rsplit(",", 1)[-1].strip() or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(request: HttpRequest) -> str:
    """Who is asking: a logged-in user, else the address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"address:{client_address(request)}"


def too_many(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """The 429 page, saying what was limited and when to try again."""
    minutes = math.ceil(retry_after / 60)
    wait = f"{minutes} minute{'s' if minutes > 1 else ''}" if retry_after > 60 else "a minute"
    response = render(request, "429.html", {"message": message, "wait": wait}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, setting: str) -> Callable:
    """Refuse a client's POSTs to the view beyond the rate `setting` names (read per request)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                rate = rate_setting(setting)
                if hit(f"{scope}:{client_key(request)}", rate) > rate.limit:
                    message = f"Too many requests: this page takes {rate.text} from each client."
                    return too_many(request, message, rate.retry_after(timezone.now()))
            return view(request, *args, **kwargs)

        return limited

    return decorator
