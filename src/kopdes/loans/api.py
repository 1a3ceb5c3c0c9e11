"""Loans over the JSON API: read a loan, disburse it, receive a repayment.

Thin: the koperasi and permission are checked first (another koperasi's slug or loan is a
404 whatever the body), then the body is validated, then one service is called. Money
commands take an ``Idempotency-Key`` header: a new result answers 201, an exact replay
200 with the first result, the same key with other content 409 (nothing written).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pydantic
from django.http import HttpRequest
from ninja import Header, Path, Router, Schema
from ninja.errors import ValidationError
from ninja.responses import Status

from kopdes.loans import selectors, services
from kopdes.loans.errors import LoanError
from kopdes.platform.core.api_types import Sen
from kopdes.platform.core.schemas import InputSchema
from kopdes.platform.tenancy.access import api_koperasi

router = Router(tags=["loans"])


class RepaymentIn(InputSchema):
    amount: Sen  # JSON integer of sen, > 0
    date: dt.date
    source: str = "cash"
    # Pelunasan dipercepat: pay principal ahead and re-amortise the rest (or, with exactly
    # the payoff amount, close the loan). Without it a payment pays the installments in
    # order, as scheduled. A JSON true/false only.
    accelerated: pydantic.StrictBool = False


class DisbursementIn(InputSchema):
    date: dt.date
    method: str = "cash"


class RepaymentOut(Schema):
    id: uuid.UUID
    loan: str
    date: dt.date
    amount: int
    penalty: int
    interest: int
    principal: int
    outstanding_after: int
    is_payoff: bool
    accelerated: bool
    entry_number: int


class InstallmentOut(Schema):
    period: int
    due_date: dt.date
    principal: int
    interest: int
    principal_paid: int
    interest_paid: int
    paid_on: dt.date | None


class LoanOut(Schema):
    id: uuid.UUID
    number: str
    member: str
    status: str
    principal: int
    term: int
    outstanding: int
    dpd: int
    kolektibilitas: int
    disbursed_on: dt.date | None
    installments: list[InstallmentOut]


def _loan_out(loan) -> dict:
    return {
        "id": loan.pk,
        "number": loan.number,
        "member": loan.member.number,
        "status": loan.status,
        "principal": loan.principal,
        "term": loan.term,
        "outstanding": loan.outstanding,
        "dpd": loan.dpd,
        "kolektibilitas": loan.kolektibilitas,
        "disbursed_on": loan.disbursed_on,
        "installments": [
            {
                "period": r.period,
                "due_date": r.due_date,
                "principal": r.principal,
                "interest": r.interest,
                "principal_paid": r.principal_paid,
                "interest_paid": r.interest_paid,
                "paid_on": r.paid_on,
            }
            for r in selectors.installments(loan)
        ],
    }


def _repayment_out(rep) -> dict:
    return {
        "id": rep.pk,
        "loan": rep.loan.number,
        "date": rep.date,
        "amount": rep.amount,
        "penalty": rep.penalty,
        "interest": rep.interest,
        "principal": rep.principal,
        "outstanding_after": rep.outstanding_after,
        "is_payoff": rep.is_payoff,
        "accelerated": rep.accelerated,
        "entry_number": rep.entry.number,
    }


def _body(request: HttpRequest, schema: type[Schema]) -> Schema:
    """Validate the JSON body after the tenant check (so a foreign id is always a 404)."""
    try:
        return schema.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as exc:
        # A body the schema refuses (a text with a control character, an amount that is
        # not a positive JSON integer) is a 422, as on every other route (api_errors).
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if errors and errors[0].get("type") != "json_invalid":
            raise ValidationError(errors) from exc
        raise LoanError("Data tidak valid: " + str(errors[0]["msg"] if errors else exc)) from exc
    except ValueError as exc:
        raise LoanError("Data tidak valid: " + str(exc).splitlines()[0]) from exc


@router.get("loans/{loan_id}", response=LoanOut, url_name="loans-detail")
def get_loan(request: HttpRequest, loan_id: str, slug: str = Path(...)):
    """One loan with its schedule (404 for another koperasi's). Amounts in sen."""
    koperasi = api_koperasi(request, slug, "loans.view")
    return _loan_out(selectors.get_loan(koperasi, loan_id))


@router.post(
    "loans/{loan_id}/repayments",
    response={200: RepaymentOut, 201: RepaymentOut},
    url_name="loans-repay",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": RepaymentIn.model_json_schema()}}
        }
    },
)
def repay(
    request: HttpRequest,
    loan_id: str,
    slug: str = Path(...),
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Receive a payment: ``{"amount": sen, "date": "YYYY-MM-DD", "source": "cash",
    "accelerated": false}``. Pays the oldest unpaid installment first (its denda, jasa,
    pokok), as scheduled; ``"accelerated": true`` (pelunasan dipercepat) pays principal
    ahead and re-amortises the rest, or closes the loan with exactly the payoff amount.
    More than the payoff amount is refused (400)."""
    koperasi = api_koperasi(request, slug, "loans.repay")
    loan = selectors.get_loan(koperasi, loan_id)
    payload = _body(request, RepaymentIn)
    rep = services.repay_loan(
        loan,
        actor=request.auth,
        amount=payload.amount,
        date=payload.date,
        source=payload.source,
        idempotency_key=idempotency_key,
        accelerated=payload.accelerated,
    )
    return Status(200 if getattr(rep, "replayed", False) else 201, _repayment_out(rep))


@router.post(
    "loans/{loan_id}/disbursement",
    response={200: LoanOut, 201: LoanOut},
    url_name="loans-disburse",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": DisbursementIn.model_json_schema()}}
        }
    },
)
def disburse(
    request: HttpRequest,
    loan_id: str,
    slug: str = Path(...),
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Disburse an approved loan: ``{"date": "YYYY-MM-DD", "method": "cash"|"savings"}``."""
    koperasi = api_koperasi(request, slug, "loans.disburse")
    loan = selectors.get_loan(koperasi, loan_id)
    payload = _body(request, DisbursementIn)
    loan = services.disburse_loan(
        loan,
        actor=request.auth,
        date=payload.date,
        method=payload.method,
        idempotency_key=idempotency_key or f"disburse:{loan.pk}",
    )
    return Status(200 if getattr(loan, "replayed", False) else 201, _loan_out(loan))
