"""HET rates and channel rules are history: a new one is a new row, the old one is never
changed or deleted (the database refuses UPDATE and DELETE; ``kopdes verify`` checks the
triggers are still there)."""

from django.db import migrations

from kopdes.platform.core.triggers import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0001_initial")]

    operations = [AppendOnly("subsidy_hetrate"), AppendOnly("subsidy_channelrule")]
