"""The apotek's rules inside the store's goods receipts and checkout (``store.hooks``),
registered when the app is ready. Every goods item of the apotek unit is kept by batch:

- **Receipt** (``store.services.receive_stock(extra={"batch_number", "expires_on"})``, or
  ``services.receive_batch``): a batch number and an expiry date are required, an expiry
  already past is refused, a batch number already recorded with another expiry is
  refused; the batch's quantity grows with the receipt (``BatchMovement`` with the
  store's ``StockMovement``). Audited ``pharmacy.batch.received``.
- **Checkout**: a line of an apotek item needs ``pharmacy.dispense``; a prescription-only
  drug (``DrugInfo.requires_prescription``) needs ``prescription_number`` and
  ``prescriber_name`` on the line and a responsible pharmacist whose SIPA has not expired;
  the quantity is taken from the batches that expire first (``domain.batches
  .pick_batches``: expired batches are never picked; only expired stock left = refused
  with how much is blocked). The batches go down, a ``BatchMovement`` per batch and sale
  line, the ``Prescription`` with the line. Audited ``pharmacy.sale.dispensed``.

Every refusal is a ``DomainError`` raised before the store writes anything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import batches as fefo
from kopdes.pharmacy.choices import APOTEK, BatchMovementKind
from kopdes.pharmacy.errors import PharmacyErrors
from kopdes.pharmacy.models import Batch, BatchMovement, DrugInfo, Pharmacist, Prescription
from kopdes.pharmacy.selectors import current_pharmacist
from kopdes.pharmacy.services import clean_text
from kopdes.platform.audit.services import record
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import roles_for
from kopdes.store import hooks
from kopdes.store.errors import StoreError

DISPENSE = "pharmacy.dispense"
PRESCRIPTION_KEY = "prescription_number"
PRESCRIBER_KEY = "prescriber_name"


def is_drug(item) -> bool:
    """Goods of the apotek unit: kept by batch."""
    return item.business_unit.kind == APOTEK and not item.is_service


def _by(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- receipts -----------------------------------------------------------------------------


@dataclass
class _Receipt:
    koperasi: Any
    actor: Any
    item: Any
    batch_number: str
    expires_on: dt.date
    existing: Batch | None


def prepare_receipt(koperasi, *, actor, item, quantity, day, extra) -> _Receipt | None:
    del quantity
    if not is_drug(item):
        return None
    errors: list[tuple[str, str]] = []
    number = clean_text(
        extra.get("batch_number"), key="batch_number", label=_("the batch number"),
        max_length=40, required=True, errors=errors, code=True,
    )  # fmt: skip
    expires = extra.get("expires_on")
    if isinstance(expires, dt.datetime) or not isinstance(expires, dt.date):
        errors.append(("expires_on", _("Please fill in the expiry date of the batch.")))
        expires = None
    elif expires < day:
        errors.append(
            (
                "expires_on",
                _(
                    "The expiry date %(date)s is already past: expired drugs may not be "
                    "received into stock."
                )
                % {"date": expires.strftime("%d-%m-%Y")},
            )
        )
    existing = None
    if number and expires is not None:
        existing = (
            Batch.objects.select_for_update()
            .filter(koperasi=koperasi, item=item, batch_number=number)
            .first()
        )
        if existing is not None and existing.expires_on != expires:
            errors.append(
                (
                    "expires_on",
                    _("Batch %(batch)s of this item is recorded with expiry %(date)s.")
                    % {"batch": number, "date": existing.expires_on.strftime("%d-%m-%Y")},
                )
            )
    if errors:
        raise PharmacyErrors(errors=errors)
    assert expires is not None
    return _Receipt(koperasi, actor, item, number, expires, existing)


def record_receipt(state: _Receipt, *, movement) -> None:
    batch = state.existing
    if batch is None:
        batch = Batch(
            koperasi=state.koperasi,
            item=state.item,
            batch_number=state.batch_number,
            expires_on=state.expires_on,
            first_received_on=movement.date,
        )
    batch.quantity += movement.quantity
    batch.received += movement.quantity
    batch.save()
    BatchMovement.objects.create(
        koperasi=state.koperasi,
        batch=batch,
        item=state.item,
        kind=BatchMovementKind.RECEIPT,
        quantity=movement.quantity,
        date=movement.date,
        stock_movement=movement,
    )
    roles = roles_for(state.actor, state.koperasi) if state.actor is not None else frozenset()
    record(
        "pharmacy.batch.received",
        actor=state.actor,
        koperasi=state.koperasi,
        role=role_label(roles, "store.receive_stock"),
        obj=batch,
        summary={
            "item": state.item.name,
            "batch": batch.batch_number,
            "expires_on": batch.expires_on.isoformat(),
            "quantity": movement.quantity,
            "on_hand": batch.quantity,
        },
    )


# --- checkout -------------------------------------------------------------------------------


@dataclass
class _Dispense:
    koperasi: Any
    actor: Any
    role: str
    day: dt.date
    pharmacist: Pharmacist | None
    picks: list[tuple[int, Any, list[tuple[Batch, int]]]] = field(default_factory=list)
    prescriptions: list[tuple[int, Any, str, str]] = field(default_factory=list)


def _refuse(item, message: str) -> StoreError:
    return StoreError(f"{item.name}: {message}", field="lines")


def prepare_checkout(koperasi, *, actor, roles, lines, day) -> _Dispense | None:
    drugs = [line for line in lines if is_drug(line.item)]
    if not drugs:
        return None
    if not has_perm(roles, DISPENSE):
        raise StoreError(_("You are not allowed to dispense the apotek's drugs."), field="lines")
    item_ids = {line.item.pk for line in drugs}
    infos = {d.item_id: d for d in DrugInfo.objects.filter(koperasi=koperasi, item_id__in=item_ids)}
    state = _Dispense(koperasi, actor, role_label(roles, DISPENSE), day, None)
    needs_pharmacist = False
    for line in drugs:
        info = infos.get(line.item.pk)
        needs = info is not None and info.requires_prescription
        try:
            number = fefo.check_prescription(needs, line.data.get(PRESCRIPTION_KEY))
        except fefo.BatchError as exc:
            raise _refuse(line.item, exc.message) from exc
        errors: list[tuple[str, str]] = []
        prescriber = clean_text(
            line.data.get(PRESCRIBER_KEY), key=PRESCRIBER_KEY,
            label=_("the prescriber's name"), max_length=120, required=needs, errors=errors,
        )  # fmt: skip
        if errors:
            raise _refuse(line.item, errors[0][1])
        if number:
            state.prescriptions.append((line.position, line.item, number, prescriber))
        needs_pharmacist = needs_pharmacist or needs
    state.pharmacist = current_pharmacist(koperasi)
    if needs_pharmacist:
        if state.pharmacist is None:
            raise StoreError(
                _(
                    "Prescription drugs are dispensed only under a responsible pharmacist: "
                    "record the apotek's pharmacist first."
                ),
                field="lines",
            )
        if state.pharmacist.sipa_expires_on < day:
            raise StoreError(
                _(
                    "The SIPA of the responsible pharmacist %(name)s expired on %(date)s: "
                    "prescription drugs may not be dispensed until it is renewed."
                )
                % {
                    "name": state.pharmacist.name,
                    "date": state.pharmacist.sipa_expires_on.strftime("%d-%m-%Y"),
                },
                field="lines",
            )
    # The batches, locked (the checkout already holds the koperasi's ledger lock).
    left: dict[Any, dict[str, list]] = defaultdict(dict)
    for row in Batch.objects.select_for_update().filter(
        koperasi=koperasi, item_id__in=item_ids, quantity__gt=0
    ):
        left[row.item_id][row.batch_number] = [row, row.quantity]
    for line in drugs:
        available = left[line.item.pk]
        try:
            chosen = fefo.pick_batches(
                [fefo.Batch(no, row.expires_on, n) for no, (row, n) in available.items()],
                line.quantity,
                today=day,
            )
        except fefo.BatchError as exc:
            raise _refuse(line.item, exc.message) from exc
        taken = []
        for pick in chosen:
            available[pick.batch_id][1] -= pick.quantity
            taken.append((available[pick.batch_id][0], pick.quantity))
        state.picks.append((line.position, line.item, taken))
    return state


def record_checkout(state: _Dispense, *, sale, lines) -> None:
    by_position = {line.position: line for line in lines}
    moves = []
    per_batch: dict[Any, int] = defaultdict(int)
    summary = []
    for position, item, taken in state.picks:
        for batch, quantity in taken:
            per_batch[batch.pk] += quantity
            moves.append(
                BatchMovement(
                    koperasi=state.koperasi, batch=batch, item=item,
                    kind=BatchMovementKind.SALE, quantity=quantity, date=state.day,
                    sale_line=by_position[position],
                )
            )  # fmt: skip
        summary.append({"item": item.name, "batches": {b.batch_number: q for b, q in taken}})
    BatchMovement.objects.bulk_create(moves)
    for pk, quantity in per_batch.items():
        Batch.objects.filter(pk=pk).update(quantity=F("quantity") - quantity)
    Prescription.objects.bulk_create(
        [
            Prescription(
                koperasi=state.koperasi, sale=sale, sale_line=by_position[position], item=item,
                number=number, prescriber=prescriber, pharmacist=state.pharmacist, date=state.day,
            )
            for position, item, number, prescriber in state.prescriptions
        ]
    )  # fmt: skip
    record(
        "pharmacy.sale.dispensed",
        actor=state.actor,
        koperasi=state.koperasi,
        role=state.role,
        obj=sale,
        summary={
            "sale": sale.number,
            "lines": summary,
            "prescriptions": [number for _p, _i, number, _d in state.prescriptions],
            "pharmacist": state.pharmacist.name if state.pharmacist else None,
        },
    )


def ask(koperasi, item) -> list[hooks.LineField]:
    """A prescription-only drug: the point of sale asks for the prescription."""
    if not is_drug(item):
        return []
    info = DrugInfo.objects.filter(koperasi=koperasi, item=item).first()
    if info is None or not info.requires_prescription:
        return []
    return [
        hooks.LineField(PRESCRIPTION_KEY, gettext_lazy("Prescription number")),
        hooks.LineField(PRESCRIBER_KEY, gettext_lazy("Prescriber (doctor)"), max_length=120),
    ]


# --- other stock movements ------------------------------------------------------------------


@dataclass
class _Moved:
    koperasi: Any
    actor: Any
    item: Any
    kind: str  # BatchMovementKind
    day: dt.date
    sale_line: Any
    taken: list[tuple[Batch, int]]


def prepare_movement(
    koperasi, *, actor, kind, item, quantity, day, sale_line=None
) -> _Moved | None:
    """The batches follow a void or return of a sale line (back into the batches it took,
    the latest-expiring first, an expired one too: it stays blocked for sale) and a stock
    count's shortage (from the expired batches first, then the first-expiring). A count's
    surplus and a transfer of batch-kept goods are refused."""
    if not is_drug(item):
        return None
    if kind == "sale_return" and sale_line is not None:
        sold: dict[Any, int] = defaultdict(int)
        for batch_id, moved_kind, moved in BatchMovement.objects.filter(
            koperasi=koperasi, sale_line=sale_line
        ).values_list("batch_id", "kind", "quantity"):
            sold[batch_id] += -moved if moved_kind == BatchMovementKind.RETURN else moved
        rows = Batch.objects.select_for_update().filter(koperasi=koperasi, pk__in=list(sold))
        order = sorted(rows, key=lambda b: (b.expires_on, b.batch_number), reverse=True)
        taken = _take(order, quantity, lambda b: sold[b.pk])
        if taken is None:
            raise _refuse(
                item,
                _(
                    "The batches this sale line took are not recorded (sold before the "
                    "apotek kept batches): it cannot be returned into stock here."
                ),
            )
        return _Moved(koperasi, actor, item, BatchMovementKind.RETURN, day, sale_line, taken)
    if kind == "adjustment_out":
        # Expired batches have the earliest expiry: by expiry they leave first.
        rows = Batch.objects.select_for_update().filter(
            koperasi=koperasi, item=item, quantity__gt=0
        )
        order = sorted(rows, key=lambda b: (b.expires_on, b.batch_number))
        taken = _take(order, quantity, lambda b: b.quantity)
        if taken is None:
            raise StoreError(
                _("%(item)s: the batches hold less than the shortage counted.")
                % {"item": item.name},
                field="count",
            )
        return _Moved(koperasi, actor, item, BatchMovementKind.ADJUSTMENT, day, None, taken)
    if kind == "adjustment_in":
        raise StoreError(
            _(
                "%(item)s: extra drugs must be received as a batch through the apotek's "
                "receiving page, not counted in."
            )
            % {"item": item.name},
            field="count",
        )
    if kind in ("transfer_out", "transfer_in"):
        raise StoreError(
            _(
                "%(item)s is kept by batch at the apotek: its stock cannot be transferred "
                "between units in this version."
            )
            % {"item": item.name},
            field="item",
        )
    raise StoreError(
        _("%(item)s is kept by batch at the apotek: this stock movement is not supported.")
        % {"item": item.name},
        field="item",
    )


def _take(order: list[Batch], quantity: int, room) -> list[tuple[Batch, int]] | None:
    """``quantity`` spread over ``order``, each batch at most ``room(batch)``; None when
    they cannot hold it all."""
    taken, left = [], quantity
    for batch in order:
        n = min(left, room(batch))
        if n > 0:
            taken.append((batch, n))
            left -= n
    return taken if left == 0 else None


def record_movement(state: _Moved, *, movement) -> None:
    sign = 1 if state.kind == BatchMovementKind.RETURN else -1
    BatchMovement.objects.bulk_create(
        [
            BatchMovement(
                koperasi=state.koperasi, batch=batch, item=state.item, kind=state.kind,
                quantity=quantity, date=movement.date, stock_movement=movement,
                sale_line=state.sale_line,
            )
            for batch, quantity in state.taken
        ]
    )  # fmt: skip
    for batch, quantity in state.taken:
        Batch.objects.filter(pk=batch.pk).update(quantity=F("quantity") + sign * quantity)
    roles = roles_for(state.actor, state.koperasi) if state.actor is not None else frozenset()
    record(
        "pharmacy.batch.moved",
        actor=_by(state.actor),
        koperasi=state.koperasi,
        role=role_label(roles),
        obj=movement,
        summary={
            "item": state.item.name,
            "kind": str(state.kind),
            "batches": {b.batch_number: sign * q for b, q in state.taken},
        },
    )


hooks.register_movement_rule(
    hooks.MovementRule("pharmacy.batches", prepare_movement, record_movement)
)
hooks.register_receipt_rule(hooks.ReceiptRule("pharmacy.batches", prepare_receipt, record_receipt))
hooks.register_checkout_rule(
    hooks.CheckoutRule(
        "pharmacy.dispense",
        prepare_checkout,
        record_checkout,
        line_keys=(PRESCRIPTION_KEY, PRESCRIBER_KEY),
        ask=ask,
    )
)
