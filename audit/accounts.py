"""Logging in: failed logins throttled per account and per address; password reset offered only
where mail can be sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from audit import rate_limits

log = logging.getLogger(__name__)


def _limits(request: HttpRequest, username: str) -> list[tuple[str, rate_limits.Rate]]:
    """The counts a failed login adds to: its account's and its address's."""
    return [
        (f"login-user:{username}", rate_limits.rate_setting("SEEDAUDIT_LOGIN_FAILURES_PER_USER")),
        (
            f"login-address:{rate_limits.client_address(request)}",
            rate_limits.rate_setting("SEEDAUDIT_LOGIN_FAILURES_PER_ADDRESS"),
        ),
    ]


def throttle_logins(view: Callable) -> Callable:
    """Refuse logins for an account, or from an address, that failed too often of late; even the
    right password, so that guessing on learns nothing."""

    @wraps(view)
    def throttled(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            username = request.POST.get("username", "")
            for key, rate in _limits(request, username):
                if rate_limits.hits(key, rate) >= rate.limit:
                    log.warning("Login refused after too many failures: %s", key)
                    return rate_limits.too_many(
                        request,
                        "Too many failed logins for this account or from this address.",
                        rate.retry_after(timezone.now()),
                    )
        return view(request, *args, **kwargs)

    return throttled


@receiver(user_login_failed)
def count_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    if request is not None:
        for key, rate in _limits(request, credentials.get("username", "")):
            rate_limits.hit(key, rate)


@receiver(user_logged_in)
def forget_failed_logins(sender, request: HttpRequest | None, user, **kwargs):
    if request is not None:
        rate_limits.forget(f"login-user:{user.get_username()}")


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "password_reset": settings.SEEDAUDIT_PASSWORD_RESET
        }


def mail_required(view: Callable) -> Callable:
    """Password reset pages exist only where a reset mail can be sent."""

    @wraps(view)
    def with_mail(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.SEEDAUDIT_PASSWORD_RESET:
            raise Http404("Password reset needs mail: ask an administrator for a new password.")
        return view(request, *args, **kwargs)

    return with_mail
