from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Seed audit"

    def ready(self):
        # Failed logins are counted by signal receivers, wherever the login form is.
        from audit import accounts  # noqa: F401
