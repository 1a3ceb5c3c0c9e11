"""Builders for the tenant-isolation harness (tests/test_isolation.py).

For every URL keyword argument other than ``slug``, a function that creates such an object in
the given koperasi and returns the value to put in the URL. A route whose keyword is missing
here fails the harness, so a new route cannot go unprobed. Each app adds its own keys.
"""

from __future__ import annotations

from collections.abc import Callable

from kopdes.platform.tenancy.models import Koperasi

SAMPLES: dict[str, Callable[[Koperasi], str]] = {}


# --- identity ------------------------------------------------------------------------------
def _role_assignment(koperasi: Koperasi) -> str:
    """An active kasir role in ``koperasi`` (the revoke route takes its id)."""
    from kopdes.platform.core.testing import make_user
    from kopdes.platform.identity.models import RoleAssignment

    user = make_user("kasir", koperasi)
    return str(RoleAssignment.objects.get(user=user, koperasi=koperasi).pk)


SAMPLES["assignment_id"] = _role_assignment


# --- audit ---------------------------------------------------------------------------------
def _audit_event(koperasi: Koperasi) -> str:
    """An audit event on ``koperasi``'s chain (the event detail route takes its id)."""
    from kopdes.platform.audit.services import record

    return str(record("test.sample.created", koperasi=koperasi, summary={"sample": True}).pk)


SAMPLES["event_id"] = _audit_event


# --- ledger pages (entries, receipts, accounts; its proposals: approval_item_id) ----------
def _ledger_actor(koperasi: Koperasi):
    from kopdes.ledger import services
    from kopdes.platform.core.testing import make_user

    services.setup_koperasi_books(koperasi)
    return make_user("bendahara", koperasi)


def _ledger_entry(koperasi: Koperasi, actor=None):
    import datetime as dt
    import uuid

    from kopdes.domain.ledger import LineDraft
    from kopdes.ledger import services

    actor = actor or _ledger_actor(koperasi)
    return services.post(
        koperasi,
        actor=actor,
        date=dt.date(2026, 1, 15),
        memo="Contoh jurnal",
        lines=[LineDraft.debit("5-2100", 10_000), LineDraft.credit("1-1100", 10_000)],
        idempotency_key=f"isolation-{uuid.uuid4().hex}",
    )


def _ledger_entry_id(koperasi: Koperasi) -> str:
    return str(_ledger_entry(koperasi).pk)


def _ledger_attachment(koperasi: Koperasi) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kopdes.ledger.attachments import add_attachments

    actor = _ledger_actor(koperasi)
    entry = _ledger_entry(koperasi, actor)
    upload = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 contoh", content_type="application/pdf")
    return str(add_attachments(entry, actor=actor, files=[upload])[0].pk)


def _ledger_account(koperasi: Koperasi) -> str:
    from kopdes.ledger.models import Account

    _ledger_actor(koperasi)
    return str(Account.objects.get(koperasi=koperasi, code="1-1200").pk)


SAMPLES["entry_id"] = _ledger_entry_id
SAMPLES["attachment_id"] = _ledger_attachment
SAMPLES["account_id"] = _ledger_account


# --- members -------------------------------------------------------------------------------
def _member(koperasi: Koperasi) -> str:
    """A registered (calon) member of ``koperasi``."""
    from kopdes.members.testing import make_member

    return str(make_member(koperasi).pk)


def _exit_proposal(koperasi: Koperasi) -> str:
    """An open exit proposal of a member of ``koperasi`` (the inbox's decide routes take
    its id)."""
    import datetime as dt

    from django.utils import timezone

    from kopdes.members import services
    from kopdes.members.testing import make_member
    from kopdes.platform.core.testing import make_user

    member = make_member(koperasi)
    proposal = services.propose_exit(
        member,
        actor=make_user("sekretaris", koperasi),
        to_status="berhenti",
        reason="Pindah",
        effective_on=dt.date(2026, 3, 1),
        at=timezone.now(),
    )
    return str(proposal.pk)


SAMPLES["member_id"] = _member


# --- savings -------------------------------------------------------------------------------
def _savings_account(koperasi: Koperasi) -> str:
    """A sukarela account with a deposit in ``koperasi``."""
    from kopdes.savings.testing import voluntary_account

    return str(voluntary_account(koperasi, balance=100_000_00).pk)


def _savings_transaction(koperasi: Koperasi) -> str:
    """A deposit (a receipt route takes its id)."""
    from kopdes.savings.models import SavingsTransaction

    account = _savings_account(koperasi)
    return str(SavingsTransaction.objects.filter(account_id=account).latest("seq").pk)


def _savings_withdrawal(koperasi: Koperasi) -> str:
    """A large withdrawal waiting for approval (the inbox's decide routes take its id)."""
    from kopdes.savings import services
    from kopdes.savings.testing import DAY, key, teller, voluntary_account

    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=9_000_000_00, actor=kasir)
    request = services.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=DAY, idempotency_key=key()
    )
    return str(request.pk)


SAMPLES["savings_account_id"] = _savings_account
SAMPLES["transaction_id"] = _savings_transaction


def _savings_correction(koperasi: Koperasi) -> str:
    """A correction of a deposit waiting for approval (the decide routes take its id)."""
    from kopdes.savings import services
    from kopdes.savings.models import SavingsTransaction
    from kopdes.savings.testing import key, teller, voluntary_account

    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=1_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    return str(
        services.request_correction(txn, actor=kasir, reason="Contoh", idempotency_key=key()).pk
    )


SAMPLES["correction_id"] = _savings_correction


# --- loans ---------------------------------------------------------------------------------
def _loan(koperasi: Koperasi) -> str:
    """An active (disbursed) loan of ``koperasi``."""
    from kopdes.loans.testing import active_loan

    return str(active_loan(koperasi).pk)


def _loan_product(koperasi: Koperasi) -> str:
    from kopdes.loans.testing import product

    return str(product(koperasi).pk)


def _loan_repayment(koperasi: Koperasi) -> str:
    """A repayment on an active loan (the receipt route takes its id)."""
    import datetime as dt

    from kopdes.loans import services
    from kopdes.loans.testing import active_loan, key
    from kopdes.platform.core.testing import make_user

    loan = active_loan(koperasi)
    rep = services.repay_loan(
        loan,
        actor=make_user("kasir", koperasi),
        amount=50_000_00,
        date=dt.date(2026, 4, 2),
        idempotency_key=key(),
    )
    return str(rep.pk)


def _bank_loan(koperasi: Koperasi) -> str:
    import datetime as dt

    from kopdes.ledger.testing import with_books
    from kopdes.loans import services
    from kopdes.platform.core.testing import make_user

    with_books(koperasi)
    bank_loan = services.create_bank_loan(
        koperasi,
        actor=make_user("ketua", koperasi),
        lender="Bank Uji",
        plafond=1_000_000_000_00,
        rate_percent="6",
        term=72,
        grace_periods=6,
        start_date=dt.date(2026, 1, 5),
    )
    return str(bank_loan.pk)


SAMPLES["loan_id"] = _loan
SAMPLES["product_id"] = _loan_product
SAMPLES["repayment_id"] = _loan_repayment
SAMPLES["bank_loan_id"] = _bank_loan


# --- approvals inbox -----------------------------------------------------------------------
# The decide routes take a kind and an item of that kind: a large withdrawal waiting in the
# koperasi (another koperasi's id, or its slug, must answer 404 like every route). Every
# other registered kind is walked by test_isolation's
# test_the_approvals_inbox_decides_nothing_of_another_koperasi (builders: the inbox tests').
SAMPLES["approval_kind"] = lambda koperasi: "savings-withdrawal"
SAMPLES["approval_item_id"] = _savings_withdrawal


# --- store ---------------------------------------------------------------------------------
def _store_unit(koperasi: Koperasi):
    """The gerai sembako of ``koperasi``, enabled (its accounts opened) if not yet."""
    from django.utils import timezone

    from kopdes.ledger import services as ledger_services
    from kopdes.platform.core.testing import make_user
    from kopdes.store import services
    from kopdes.store.models import BusinessUnit

    unit = BusinessUnit.objects.filter(koperasi=koperasi, kind="sembako").first()
    if unit is None:
        ledger_services.setup_koperasi_books(koperasi)
        unit = services.enable_business_unit(
            koperasi, actor=make_user("manajer", koperasi), kind="sembako", at=timezone.now()
        )
    return unit


def _store_item(koperasi: Koperasi, barcode: str = ""):
    """An item of the gerai sembako (the item routes take its id)."""
    import uuid

    from kopdes.platform.core.testing import make_user
    from kopdes.store import services

    _store_unit(koperasi)
    return services.create_item(
        koperasi,
        actor=make_user("manajer", koperasi),
        data={
            "name": f"Beras {uuid.uuid4().hex[:8]}",
            "barcode": barcode,
            "business_unit": "sembako",
            "base_unit": "kg",
            "member_price": 14_000_00,
            "public_price": 15_000_00,
        },
    )


def _store_supplier(koperasi: Koperasi) -> str:
    import uuid

    from kopdes.platform.core.testing import make_user
    from kopdes.store import services

    supplier = services.create_supplier(
        koperasi,
        actor=make_user("manajer", koperasi),
        data={"name": f"UD Tani {uuid.uuid4().hex[:8]}", "phone": "0812-3456-7890"},
    )
    return str(supplier.pk)


def _store_barcode(koperasi: Koperasi) -> str:
    """The barcode of an item of ``koperasi`` (the API's scan route takes it)."""
    import uuid

    from kopdes.domain.barcode import InStoreKind, make_instore

    code = make_instore(InStoreKind.ITEM, uuid.uuid4().int % 10**10)
    return _store_item(koperasi, barcode=code).barcode


SAMPLES["item_id"] = lambda koperasi: str(_store_item(koperasi).pk)
SAMPLES["barcode"] = _store_barcode
SAMPLES["supplier_id"] = _store_supplier
SAMPLES["business_unit_id"] = lambda koperasi: str(_store_unit(koperasi).pk)


def _store_sale(koperasi: Koperasi) -> str:
    """A sale of ``koperasi`` (the receipt route takes its id): 1 kg of stocked rice, cash."""
    import uuid

    from kopdes.domain.sale import Payment
    from kopdes.platform.core.testing import make_user
    from kopdes.store import services

    item = _store_item(koperasi)
    services.receive_stock(
        koperasi, actor=make_user("manajer", koperasi), item=item, quantity=5,
        cost=5 * 12_000_00, idempotency_key=f"iso-{uuid.uuid4()}",
    )  # fmt: skip
    sale = services.checkout(
        koperasi, actor=make_user("kasir", koperasi), lines=[{"item": item, "quantity": 1}],
        payments=[Payment("cash", 15_000_00)], idempotency_key=f"iso-{uuid.uuid4()}",
    )  # fmt: skip
    return str(sale.pk)


SAMPLES["sale_id"] = _store_sale


def _store_stock_count(koperasi: Koperasi) -> str:
    """A stock count of the gerai sembako being counted (its sheet and submit routes take
    its id); an earlier open one of the unit is reused (one open count per unit)."""
    from kopdes.platform.core.testing import make_user
    from kopdes.store.models import StockCount
    from kopdes.store.services import stock_count

    item = _store_item(koperasi)
    found = StockCount.objects.filter(koperasi=koperasi, state="pending").first()
    if found is not None:
        return str(found.pk)
    return str(
        stock_count.start_count(
            koperasi, actor=make_user("kasir", koperasi), business_unit=item.business_unit
        ).pk
    )


SAMPLES["stock_count_id"] = _store_stock_count


def _store_shift(koperasi: Koperasi) -> str:
    """A kasir's open cash shift of ``koperasi`` (the close route takes its id)."""
    import uuid

    from kopdes.platform.core.testing import make_user
    from kopdes.store import services

    _store_unit(koperasi)
    shift = services.open_shift(
        koperasi, actor=make_user("kasir", koperasi), till=f"Kasir {uuid.uuid4().hex[:6]}",
        opening_float=100_000_00,
    )  # fmt: skip
    return str(shift.pk)


SAMPLES["shift_id"] = _store_shift


# --- subsidised channels ---------------------------------------------------------------------
def _subsidy_buyer(koperasi: Koperasi) -> str:
    """A registered LPG buyer of ``koperasi`` (the buyer routes take its id)."""
    from django.utils import timezone

    from kopdes.platform.core.testing import make_user
    from kopdes.subsidy import services
    from kopdes.subsidy.models import Buyer

    serial = Buyer.objects.filter(koperasi=koperasi).count() + 1  # one buyer per NIK
    buyer = services.register_buyer(
        koperasi,
        actor=make_user("manajer", koperasi),
        data={"name": "Pembeli LPG", "nik": f"320126120585{serial:04d}", "kind": "household"},
        at=timezone.now(),
    )
    return str(buyer.pk)


SAMPLES["buyer_id"] = _subsidy_buyer


# --- purchasing --------------------------------------------------------------------------------
def _purchase_order(koperasi: Koperasi):
    """A placed purchase order of ``koperasi`` (the order routes take its id)."""
    from kopdes.purchasing.testing import placed_order

    return placed_order(koperasi)


def _goods_receipt(koperasi: Koperasi) -> str:
    """Goods received on credit against an order (the receipt route takes its id)."""
    import uuid

    from kopdes.purchasing import services
    from kopdes.purchasing.testing import bendahara

    order = _purchase_order(koperasi)
    line = order.lines.order_by("position").first()
    receipt = services.receive_order(
        koperasi, actor=bendahara(koperasi), order=order, quantities={str(line.pk): 1},
        on_credit=True, idempotency_key=f"iso-{uuid.uuid4()}",
    )  # fmt: skip
    return str(receipt.pk)


def _harvest_purchase(koperasi: Koperasi) -> str:
    """A member's harvest bought (the harvest receipt route takes its id)."""
    import uuid

    from kopdes.purchasing import services
    from kopdes.purchasing.testing import bendahara, harvest_item
    from kopdes.savings.testing import active_member

    purchase = services.buy_harvest(
        koperasi, actor=bendahara(koperasi), member=active_member(koperasi),
        item=harvest_item(koperasi, f"Gabah {uuid.uuid4().hex[:6]}"), gross_kg="25",
        price_per_kg=6_500_00, idempotency_key=f"iso-{uuid.uuid4()}",
    )  # fmt: skip
    return str(purchase.pk)


SAMPLES["order_id"] = lambda koperasi: str(_purchase_order(koperasi).pk)
SAMPLES["receipt_id"] = _goods_receipt
SAMPLES["purchase_id"] = _harvest_purchase


# --- consignment (titip jual) ------------------------------------------------------------------
def _consignor(koperasi: Koperasi) -> str:
    """An UMKM consignor of ``koperasi`` with a consigned item, goods in and one sale (the
    settlement and payout routes take its id)."""
    import uuid

    from kopdes.consignment.testing import consigned_item
    from kopdes.domain.sale import Payment
    from kopdes.platform.core.testing import make_user
    from kopdes.store import services

    item, consignor = consigned_item(
        koperasi, name=f"Keripik singkong {uuid.uuid4().hex[:6]}", received=5
    )
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi), lines=[{"item": item, "quantity": 1}],
        payments=[Payment("cash", 15_000_00)], idempotency_key=f"iso-{uuid.uuid4()}",
    )  # fmt: skip
    return str(consignor.pk)


SAMPLES["consignor_id"] = _consignor


# --- apotek desa ----------------------------------------------------------------------------
def _pharmacy_batch(koperasi: Koperasi) -> str:
    """A drug batch of ``koperasi``'s apotek (the batch detail route takes its id)."""
    import datetime as dt

    from kopdes.pharmacy.models import BatchMovement
    from kopdes.pharmacy.testing import make_drug, receive

    drug = make_drug(koperasi)
    receipt = receive(koperasi, drug, "ISO1", koperasi.today() + dt.timedelta(days=200), 5)
    return str(BatchMovement.objects.get(stock_movement=receipt.movement).batch_id)


SAMPLES["batch_id"] = _pharmacy_batch
