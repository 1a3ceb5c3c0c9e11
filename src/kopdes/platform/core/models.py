"""Base classes for tenant-owned models."""

from __future__ import annotations

from django.db import models

from kopdes.platform.core.ids import uuid7


class TenantQuerySet(models.QuerySet):
    def for_koperasi(self, koperasi) -> TenantQuerySet:
        return self.filter(koperasi=koperasi)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Manager of every tenant-owned model: selectors start from ``for_koperasi``."""


class TenantModel(models.Model):
    """A row that belongs to one koperasi. UUIDv7 key so laptop and server never collide."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    koperasi = models.ForeignKey(
        "tenancy.Koperasi", on_delete=models.PROTECT, related_name="+", db_index=True
    )

    objects = TenantManager()

    class Meta:
        abstract = True
