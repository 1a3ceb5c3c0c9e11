"""WithdrawalRequest and Correction on the one maker-checker base
(``approvals.models.Proposal``). Columns are renamed, never dropped, so every request
keeps its data: ``status`` -> ``state`` (the values were already pending / approved /
rejected), ``requested_by`` -> ``proposed_by``, ``requested_at`` -> ``proposed_at``, the
checker's rejection text (a withdrawal's ``reason``, a correction's ``reject_reason``) ->
``decision_note``. A withdrawal gets the base's (empty) maker ``reason``. The base's
four-eyes constraint replaces the two copies (the same rule)."""

import django.utils.timezone
from django.db import migrations, models

STATE = models.CharField(
    choices=[
        ("pending", "Waiting for approval"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
    ],
    default="pending",
    max_length=8,
    verbose_name="state",
)
DECISION_NOTE = models.CharField(
    blank=True, default="", max_length=500, verbose_name="decision note"
)


def four_eyes(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(
            ("decided_by__isnull", True),
            models.Q(("decided_by", models.F("proposed_by")), _negated=True),
            _connector="OR",
        ),
        name=name,
    )


def renames(model: str, note_from: str) -> list:
    return [
        migrations.RenameField(model_name=model, old_name="status", new_name="state"),
        migrations.RenameField(model_name=model, old_name="requested_by", new_name="proposed_by"),
        migrations.RenameField(model_name=model, old_name="requested_at", new_name="proposed_at"),
        migrations.RenameField(model_name=model, old_name=note_from, new_name="decision_note"),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("savings", "0004_sen_field"),
    ]

    operations = [
        # The constraints naming the old columns go first (Django's state keeps their
        # conditions as written).
        migrations.RemoveConstraint(
            model_name="withdrawalrequest", name="savings_withdrawal_maker_is_not_checker"
        ),
        migrations.RemoveConstraint(
            model_name="correction", name="savings_correction_maker_is_not_checker"
        ),
        migrations.RemoveConstraint(model_name="correction", name="savings_correction_once"),
        *renames("withdrawalrequest", "reason"),
        *renames("correction", "reject_reason"),
        migrations.AddField(
            model_name="withdrawalrequest",
            name="reason",
            field=models.CharField(blank=True, default="", max_length=500, verbose_name="reason"),
        ),
        migrations.AlterField(model_name="withdrawalrequest", name="state", field=STATE),
        migrations.AlterField(model_name="correction", name="state", field=STATE),
        migrations.AlterField(
            model_name="withdrawalrequest", name="decision_note", field=DECISION_NOTE
        ),
        migrations.AlterField(model_name="correction", name="decision_note", field=DECISION_NOTE),
        migrations.AlterField(
            model_name="correction",
            name="reason",
            field=models.CharField(max_length=500, verbose_name="reason"),
        ),
        # A Python default only: no column changes (on SQLite Django would rebuild the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="proposed_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                )
                for model in ("withdrawalrequest", "correction")
            ],
        ),
        migrations.AlterModelOptions(
            name="withdrawalrequest", options={"ordering": ["-proposed_at"]}
        ),
        migrations.AlterModelOptions(name="correction", options={"ordering": ["-proposed_at"]}),
        migrations.AddConstraint(
            model_name="withdrawalrequest",
            constraint=four_eyes("savings_withdrawalrequest_four_eyes"),
        ),
        migrations.AddConstraint(
            model_name="correction", constraint=four_eyes("savings_correction_four_eyes")
        ),
        migrations.AddConstraint(
            model_name="correction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "rejected"), _negated=True),
                fields=("koperasi", "transaction"),
                name="savings_correction_once",
            ),
        ),
    ]
