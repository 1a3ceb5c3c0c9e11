from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    """Mirrors ``kopdes.domain.ledger.AccountType`` (same values)."""

    ASSET = "aset", _("Asset")
    LIABILITY = "kewajiban", _("Liability")
    EQUITY = "ekuitas", _("Equity")
    REVENUE = "pendapatan", _("Revenue")
    EXPENSE = "beban", _("Expense")


class Side(models.TextChoices):
    DEBIT = "D", _("Debit")
    CREDIT = "C", _("Credit")


class SubledgerKind(models.TextChoices):
    """Which sub-ledger a control account's lines name (``JournalLine.subledger_kind``).

    ``subledger_ref`` is then the id (as text) of the member savings account, loan, or
    stock item the line belongs to, or the consignor (a store supplier) the koperasi owes
    for consigned goods sold; the owning app keeps that table.
    """

    SAVINGS = "savings", _("Member savings")
    LOANS = "loans", _("Loans to members")
    INVENTORY = "inventory", _("Inventory")
    CONSIGNMENT = "consignment", _("Consignors (titip jual)")


class EntryKind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    REVERSAL = "reversal", _("Reversal")
    CLOSING = "closing", _("Year-end closing")
    OPENING = "opening", _("Opening balance")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PeriodAction(models.TextChoices):
    CLOSE = "close", _("Close the month")
    REOPEN = "reopen", _("Reopen the month")
