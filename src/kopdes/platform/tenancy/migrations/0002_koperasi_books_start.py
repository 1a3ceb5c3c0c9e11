"""``Koperasi.books_start``: the first day a money movement may carry (ledger README,
"Business dates").

Existing koperasi get the first day of the month of their earliest journal entry within
the sane range (2000-01-01 .. 2199-12-31), or of the month they were created in when they
have none: every movement already recorded stays inside the bounds (a row outside the
sane range is left for ``kopdes verify`` to report, never moved).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models
from django.db.models import Min

import kopdes.platform.tenancy.models

SANE_FROM = dt.date(2000, 1, 1)
SANE_TO = dt.date(2199, 12, 31)


def fill_books_start(apps, schema_editor):
    Koperasi = apps.get_model("tenancy", "Koperasi")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    earliest = dict(
        JournalEntry.objects.filter(date__gte=SANE_FROM, date__lte=SANE_TO)
        .values("koperasi_id")
        .annotate(first=Min("date"))
        .values_list("koperasi_id", "first")
    )
    jakarta = ZoneInfo("Asia/Jakarta")
    for koperasi in Koperasi.objects.all().only("id", "created_at"):
        created = koperasi.created_at.astimezone(jakarta).date()
        first = earliest.get(koperasi.id)
        start = min(first, created) if first is not None else created
        start = max(start.replace(day=1), SANE_FROM)
        Koperasi.objects.filter(pk=koperasi.pk).update(books_start=start)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_initial"),
        ("ledger", "0005_line_guard_and_tenant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="koperasi",
            name="books_start",
            field=models.DateField(null=True, verbose_name="books start"),
        ),
        migrations.RunPython(fill_books_start, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="koperasi",
            name="books_start",
            field=models.DateField(
                default=kopdes.platform.tenancy.models.default_books_start,
                verbose_name="books start",
            ),
        ),
        migrations.AddConstraint(
            model_name="koperasi",
            constraint=models.CheckConstraint(
                condition=models.Q(books_start__gte=dt.date(2000, 1, 1))
                & models.Q(books_start__lte=dt.date(2199, 12, 31)),
                name="koperasi_books_start_valid",
            ),
        ),
    ]
