"""ExitProposal on the one maker-checker base (``approvals.models.Proposal``): its state
"proposed" becomes the base's "pending", the checker gets a ``decision_note``, and the
base's four-eyes constraint replaces ``member_exit_checker_not_maker`` (the same rule)."""

import django.utils.timezone
from django.db import migrations, models


def proposed_to_pending(apps, schema_editor):
    apps.get_model("members", "ExitProposal").objects.filter(state="proposed").update(
        state="pending"
    )


def pending_to_proposed(apps, schema_editor):
    apps.get_model("members", "ExitProposal").objects.filter(state="pending").update(
        state="proposed"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_member_user_per_koperasi"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="exitproposal", name="member_one_open_exit"),
        migrations.RemoveConstraint(
            model_name="exitproposal", name="member_exit_checker_not_maker"
        ),
        migrations.AlterModelOptions(name="exitproposal", options={"ordering": ["-proposed_at"]}),
        migrations.AddField(
            model_name="exitproposal",
            name="decision_note",
            field=models.CharField(
                blank=True, default="", max_length=500, verbose_name="decision note"
            ),
        ),
        # A Python-side default: nothing changes in the database (no SQLite table rebuild).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="exitproposal",
                    name="proposed_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                ),
            ]
        ),
        migrations.AlterField(
            model_name="exitproposal",
            name="reason",
            field=models.CharField(max_length=300, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="exitproposal",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for approval"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                ],
                default="pending",
                max_length=8,
                verbose_name="state",
            ),
        ),
        migrations.RunPython(proposed_to_pending, pending_to_proposed),
        migrations.AddConstraint(
            model_name="exitproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decided_by__isnull", True),
                    models.Q(("decided_by", models.F("proposed_by")), _negated=True),
                    _connector="OR",
                ),
                name="members_exitproposal_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="exitproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "pending")),
                fields=("koperasi", "member"),
                name="member_one_open_exit",
            ),
        ),
    ]
