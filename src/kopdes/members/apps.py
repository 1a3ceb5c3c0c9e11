from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "kopdes.members"
    label = "members"
    verbose_name = _("Members")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kopdes.members import (
            approvals,  # noqa: F401  (registers its kind in the approvals inbox)
            tiles,  # noqa: F401  (registers the dashboard tile)
        )
