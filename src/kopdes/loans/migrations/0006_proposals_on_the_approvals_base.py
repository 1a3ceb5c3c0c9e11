"""RepaymentReversal and LoanProposal on the one maker-checker base
(``platform.approvals.models.Proposal``): the base's field names (``requested_by`` ->
``proposed_by``, ``requested_at`` -> ``proposed_at``, LoanProposal's ``approved_by`` ->
``decided_by``), its one state enum (LoanProposal's "proposed" becomes "pending") and its
four-eyes constraint instead of the loans' own copies. Renames, so the data stays. The
state values move in 0007 (PostgreSQL refuses to ALTER a table that has just been updated
in the same transaction: "pending trigger events").

No loans table carries a trigger, so SQLite rebuilding these two tables loses nothing.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

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


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0005_sen_field"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # --- the loans' own copies of the four-eyes rule go; the open-proposal index
        # changes its state value.
        migrations.RemoveConstraint(
            model_name="repaymentreversal", name="loan_reversal_checker_not_maker"
        ),
        migrations.RemoveConstraint(
            model_name="loanproposal", name="loan_proposal_checker_not_maker"
        ),
        migrations.RemoveConstraint(model_name="loanproposal", name="loan_proposal_second_checker"),
        migrations.RemoveConstraint(model_name="loanproposal", name="loan_one_open_proposal"),
        # --- the base's names.
        migrations.RenameField(
            model_name="repaymentreversal", old_name="requested_by", new_name="proposed_by"
        ),
        migrations.RenameField(
            model_name="repaymentreversal", old_name="requested_at", new_name="proposed_at"
        ),
        migrations.RenameField(
            model_name="loanproposal", old_name="approved_by", new_name="decided_by"
        ),
        # --- the base's field definitions.
        migrations.AlterModelOptions(
            name="repaymentreversal",
            options={"abstract": False, "ordering": ["koperasi", "-proposed_at"]},
        ),
        migrations.AlterModelOptions(
            name="loanproposal",
            options={"abstract": False, "ordering": ["koperasi", "-proposed_at"]},
        ),
        migrations.AlterField(model_name="repaymentreversal", name="state", field=STATE),
        migrations.AlterField(model_name="loanproposal", name="state", field=STATE),
        migrations.AlterField(
            model_name="repaymentreversal",
            name="proposed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="loanproposal",
            name="proposed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="repaymentreversal",
            name="reason",
            field=models.CharField(max_length=300, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="loanproposal",
            name="reason",
            field=models.CharField(max_length=300, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="repaymentreversal",
            name="decision_note",
            field=models.CharField(
                blank=True, default="", max_length=500, verbose_name="decision note"
            ),
        ),
        migrations.AlterField(
            model_name="loanproposal",
            name="decision_note",
            field=models.CharField(
                blank=True, default="", max_length=500, verbose_name="decision note"
            ),
        ),
        # --- the base's four-eyes rule, and the loans' own rules on the new names.
        migrations.AddConstraint(
            model_name="repaymentreversal",
            constraint=models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="loans_repaymentreversal_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="loanproposal",
            constraint=models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="loans_loanproposal_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="loanproposal",
            constraint=models.UniqueConstraint(
                condition=Q(state="pending"),
                fields=("koperasi", "loan", "kind"),
                name="loan_one_open_proposal",
            ),
        ),
        migrations.AddConstraint(
            model_name="loanproposal",
            constraint=models.CheckConstraint(
                condition=Q(second_approved_by__isnull=True)
                | (
                    ~Q(second_approved_by=F("proposed_by")) & ~Q(second_approved_by=F("decided_by"))
                ),
                name="loan_proposal_second_checker",
            ),
        ),
    ]
