"""Model fields every app shares."""

from __future__ import annotations

from django.db import models


class SenField(models.BigIntegerField):
    """An amount of money in sen (1 rupiah = 100 sen), as an integer: never a float, never
    a decimal. One field for every amount so that a reader, a form and an export know the
    column holds sen (``domain.money`` parses and formats it)."""

    description = "Amount of money in sen"
