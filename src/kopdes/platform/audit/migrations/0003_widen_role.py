from django.db import migrations, models

from kopdes.platform.core.triggers import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="role",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        # SQLite alters a column by rebuilding the table, which drops its triggers:
        # put the append-only guard back (idempotent on both engines).
        AppendOnly("audit_auditevent"),
    ]
