from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kopdes.platform.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # Registers the built-in dashboard tiles (officers, business units).
        from kopdes.platform.web import selectors  # noqa: F401
