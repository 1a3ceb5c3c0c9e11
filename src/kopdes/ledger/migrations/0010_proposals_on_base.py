"""ReversalProposal, PeriodProposal and EntryProposal on the one maker-checker base
(``approvals.models.Proposal``). ``status`` is renamed ``state``, never dropped, so every
proposal keeps its data; its values were already pending / approved / rejected, so no
value changes. The ledger already named the maker ``proposed_by`` (``proposed_at``,
``decided_by``, ``decided_at``) and the maker's words ``reason``; the checker's words get
the base's ``decision_note`` (empty for the proposals decided before). The base's
four-eyes constraint replaces the three copies (the same rule, the base's names).

On SQLite adding ``decision_note``, narrowing ``state`` and swapping the check
constraints rebuild these three small tables (none carries a trigger); the partial
unique indexes are dropped and made again without a rebuild."""

import django.utils.timezone
from django.db import migrations, models

MODELS = ("reversalproposal", "periodproposal", "entryproposal")
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


def four_eyes(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(
            ("decided_by__isnull", True),
            models.Q(("decided_by", models.F("proposed_by")), _negated=True),
            _connector="OR",
        ),
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0009_sen_field"),
    ]

    operations = [
        # The constraints naming the old column or the old names go first.
        migrations.RemoveConstraint(
            model_name="reversalproposal", name="ledger_one_pending_reversal"
        ),
        migrations.RemoveConstraint(
            model_name="periodproposal", name="ledger_one_pending_period_proposal"
        ),
        migrations.RemoveConstraint(
            model_name="reversalproposal", name="ledger_reversal_four_eyes"
        ),
        migrations.RemoveConstraint(model_name="periodproposal", name="ledger_period_four_eyes"),
        migrations.RemoveConstraint(
            model_name="entryproposal", name="ledger_entry_proposal_four_eyes"
        ),
        *[
            migrations.RenameField(model_name=model, old_name="status", new_name="state")
            for model in MODELS
        ],
        *[migrations.AlterField(model_name=model, name="state", field=STATE) for model in MODELS],
        *[
            migrations.AddField(
                model_name=model,
                name="decision_note",
                field=models.CharField(
                    blank=True, default="", max_length=500, verbose_name="decision note"
                ),
            )
            for model in MODELS
        ],
        # A Python default only: no column changes (on SQLite Django would rebuild the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="proposed_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                )
                for model in MODELS
            ],
        ),
        *[
            migrations.AddConstraint(
                model_name=model, constraint=four_eyes(f"ledger_{model}_four_eyes")
            )
            for model in MODELS
        ],
        migrations.AddConstraint(
            model_name="reversalproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "pending")),
                fields=("koperasi", "entry"),
                name="ledger_one_pending_reversal",
            ),
        ),
        migrations.AddConstraint(
            model_name="periodproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "pending")),
                fields=("koperasi", "period"),
                name="ledger_one_pending_period_proposal",
            ),
        ),
    ]
