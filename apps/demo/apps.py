from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: it drives every domain app's services, so it lives outside apps/core."""

    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo data"
