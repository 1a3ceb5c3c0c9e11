from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kopdes.platform.web"
    label = "web"
    verbose_name = "Web shell"
