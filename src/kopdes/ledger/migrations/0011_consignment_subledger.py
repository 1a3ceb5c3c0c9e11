"""The consignment sub-ledger kind (titip jual: Utang konsinyasi 2-1310 per consignor).
Choices only: no SQL (a no-op on SQLite and PostgreSQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_proposals_on_base"),
    ]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="subledger_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("savings", "Member savings"),
                    ("loans", "Loans to members"),
                    ("inventory", "Inventory"),
                    ("consignment", "Consignors (titip jual)"),
                ],
                default="",
                max_length=20,
                verbose_name="sub-ledger",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="subledger_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("savings", "Member savings"),
                    ("loans", "Loans to members"),
                    ("inventory", "Inventory"),
                    ("consignment", "Consignors (titip jual)"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="subledgerbalance",
            name="subledger_kind",
            field=models.CharField(
                choices=[
                    ("savings", "Member savings"),
                    ("loans", "Loans to members"),
                    ("inventory", "Inventory"),
                    ("consignment", "Consignors (titip jual)"),
                ],
                max_length=20,
            ),
        ),
    ]
