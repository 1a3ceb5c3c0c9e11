"""LoanProposal's "proposed" state is the approvals base's "pending" (and back).

Its own migration: on PostgreSQL a table updated in a transaction cannot be altered in the
same one, and 0006 alters this table.
"""

from django.db import migrations


def proposed_to_pending(apps, schema_editor):
    apps.get_model("loans", "LoanProposal").objects.filter(state="proposed").update(state="pending")


def pending_to_proposed(apps, schema_editor):
    apps.get_model("loans", "LoanProposal").objects.filter(state="pending").update(state="proposed")


class Migration(migrations.Migration):
    dependencies = [("loans", "0006_proposals_on_the_approvals_base")]

    operations = [migrations.RunPython(proposed_to_pending, pending_to_proposed)]
