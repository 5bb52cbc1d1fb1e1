import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.settings")
application = get_wsgi_application()

# Django would only refuse each request that needs the secret; a server without one must not
# start at all.
try:
    settings.SECRET_KEY  # noqa: B018
except ImproperlyConfigured:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off seedaudit needs a secret of its own: set "
        "SECRET_KEY to a long random string (python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'), or DEBUG=1 on a development machine."
    ) from None
