"""What Django's error pages (with DEBUG on) and error mails may show of the settings and the
request's environment."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

# user:password@ in any URL, whatever its setting or variable is called.
CREDENTIALS_IN_URL = re.compile(r"(?<=://)[^/@\s]+@")


class SecretsFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides keys, tokens and passwords, hiding broker and database URLs
    (CELERY_BROKER_URL, DATABASE_URL, REDIS_*) and the credentials of every other URL too."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern + "|BROKER|DATABASE_URL|REDIS",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            return CREDENTIALS_IN_URL.sub(f"{self.cleansed_substitute}@", value)
        return value
