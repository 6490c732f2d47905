from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Access and audit"

    def ready(self):
        from apps.core.roles import sync_roles

        # Roles are data that every database needs; post_migrate keeps them in step with the
        # permissions that each app's migrations create, on every `migrate`.
        post_migrate.connect(sync_roles, dispatch_uid="apps.core.sync_roles")
