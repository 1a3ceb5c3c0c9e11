"""Text that cannot break an export (issue 13 part 2): input refuses control characters.

Every form of the project inherits ``core.forms.TextGuardMixin`` and every API request body
``core.schemas.InputSchema`` (walked here, so a new one cannot forget); a page form, a
hand-read POST field and an API body holding a NUL, a bidi override or a lone surrogate get
a clear Indonesian message and nothing is written.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import typing

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone
from ninja import Schema

import kopdes
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.testing import with_books
from kopdes.platform.core import testing
from kopdes.platform.core.forms import KopdesForm, TextGuardMixin
from kopdes.platform.core.schemas import InputSchema
from kopdes.platform.identity.services import create_api_token

MESSAGE = "Teks tidak boleh berisi karakter kontrol atau karakter tak terlihat"
SKIP_MODULES = ("kopdes.config.wsgi", "kopdes.config.asgi", "kopdes.__main__")


def _project_modules():
    for info in pkgutil.walk_packages(kopdes.__path__, "kopdes."):
        name = info.name
        if ".tests" in name or ".migrations" in name or name in SKIP_MODULES:
            continue
        yield importlib.import_module(name)


def _project_classes(base: type) -> list[type]:
    found = {}
    for module in _project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__.startswith("kopdes.") and issubclass(cls, base):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


# --- every form and every request body uses the shared rule -----------------------------


def test_every_form_of_the_project_refuses_control_characters():
    classes = _project_classes(django_forms.BaseForm)
    assert len(classes) > 30  # the walk found the forms (ledger, savings, members, ...)
    missing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, TextGuardMixin) and c is not KopdesForm
    ]
    assert not missing, f"forms without core.forms.KopdesForm / TextGuardMixin: {missing}"


def _schemas_in(annotation) -> typing.Iterator[type]:
    if inspect.isclass(annotation) and issubclass(annotation, Schema):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _schemas_in(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _schemas_in(arg)


def _api_schemas() -> tuple[set[type], set[type]]:
    """(schemas of request bodies, schemas of responses) of every API operation."""
    from kopdes.config.api import api

    bodies: set[type] = set()
    responses: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for params in operation.models:
                    if params.__name__ == "BodyParams":
                        for field in params.model_fields.values():
                            bodies.update(_schemas_in(field.annotation))
                for model in (operation.response_models or {}).values():
                    if model is not None:
                        for field in model.model_fields.values():
                            responses.update(_schemas_in(field.annotation))
    return bodies, responses


def test_every_api_request_body_refuses_control_characters():
    bodies, responses = _api_schemas()
    assert bodies, "no request body found: the walk is broken"
    plain_bodies = sorted(c.__qualname__ for c in bodies if not issubclass(c, InputSchema))
    assert not plain_bodies, f"request bodies not on core.schemas.InputSchema: {plain_bodies}"
    # Bodies some endpoints validate by hand (model_validate_json) are not in the
    # operations' parameters: every schema of the project that is no response is input.
    project = [c for c in _project_classes(Schema) if c is not InputSchema]
    not_input = sorted(
        f"{c.__module__}.{c.__qualname__}"
        for c in project
        if c not in responses and not issubclass(c, InputSchema)
    )
    assert not not_input, f"schemas neither a response nor an InputSchema: {not_input}"
    # A response shows stored rows as they are: the input rule there would turn an old row
    # into a 500.
    strict_responses = sorted(c.__qualname__ for c in responses if issubclass(c, InputSchema))
    assert not strict_responses, f"responses must not refuse stored text: {strict_responses}"


# --- the forms themselves ------------------------------------------------------------------


class _Sample(KopdesForm):
    name = django_forms.CharField(max_length=50)
    note = django_forms.CharField(required=False, widget=django_forms.Textarea)
    amount = django_forms.IntegerField(required=False)

    def clean_name(self):
        return self.cleaned_data["name"].upper()


@pytest.mark.parametrize(
    ("data", "field", "codepoint"),
    [
        ({"name": "Siti\x00"}, "name", "U+0000"),
        ({"name": "Siti\tNur"}, "name", "U+0009"),  # single line: no tab
        ({"name": "\u202eitiS"}, "name", "U+202E"),
        ({"name": "Siti", "note": "ok\x1b"}, "note", "U+001B"),
        ({"name": "Siti", "amount": "12\x00"}, "amount", "U+0000"),  # not "enter a number"
    ],
)
def test_a_form_names_the_refused_character_on_its_field(data, field, codepoint):
    form = _Sample(data)
    assert not form.is_valid()
    assert form.errors[field] == [f"{MESSAGE} ({codepoint}); hapus karakter itu lalu coba lagi."]
    assert field not in form.cleaned_data


def test_a_textarea_keeps_its_line_breaks_and_clean_text_passes():
    form = _Sample({"name": "Siti Nurhaliza", "note": "baris 1\r\nbaris 2\tdst", "amount": "5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "name": "SITI NURHALIZA",
        "note": "baris 1\r\nbaris 2\tdst",
        "amount": 5,
    }


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def bendahara(client, koperasi):
    with_books(koperasi)
    user = testing.make_user("bendahara", koperasi)
    testing.login(client, user)
    return client


def _entry_data(koperasi, memo, line_memo=""):
    from kopdes.ledger.models import Account

    kas = Account.objects.get(koperasi=koperasi, code="1-1100")
    beban = Account.objects.get(koperasi=koperasi, code="5-2100")
    data = {
        "date": timezone.localdate().isoformat(),
        "memo": memo,
        "business_unit": "",
        "idempotency_key": "kunci-teks",
        "step": "post",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
    }
    for i, (account, debit, credit) in enumerate([(beban, "150.000", ""), (kas, "", "150.000")]):
        data[f"lines-{i}-account"] = str(account.pk)
        data[f"lines-{i}-debit"] = debit
        data[f"lines-{i}-credit"] = credit
        data[f"lines-{i}-memo"] = line_memo
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("memo", ["Beli ATK\x00", "Beli \u202eKTA", "Beli\x7fATK", "\x1b[2J"])
def test_manual_journal_page_refuses_a_control_character_and_writes_nothing(
    bendahara, koperasi, memo
):
    url = reverse("ledger:entry-create", kwargs={"slug": koperasi.slug})
    response = bendahara.post(url, _entry_data(koperasi, memo))
    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert "Tidak ada yang disimpan" in page
    assert "memo" in page
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_manual_journal_page_shows_a_tab_in_a_line_note_on_its_field(bendahara, koperasi):
    """A tab passes the net (a textarea may hold one); the single-line form field says no."""
    url = reverse("ledger:entry-create", kwargs={"slug": koperasi.slug})
    response = bendahara.post(url, _entry_data(koperasi, "Beli ATK", line_memo="a\tb"))
    assert response.status_code == 400  # the form page again, with the error on the field
    assert response.context["lines"].forms[0].errors["memo"] == [
        f"{MESSAGE} (U+0009); hapus karakter itu lalu coba lagi."
    ]
    assert f"{MESSAGE} (U+0009)" in response.content.decode()
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_the_same_entry_without_the_character_is_posted(bendahara, koperasi):
    url = reverse("ledger:entry-create", kwargs={"slug": koperasi.slug})
    response = bendahara.post(url, _entry_data(koperasi, "Beli ATK", line_memo="kertas"))
    assert response.status_code == 302
    assert JournalEntry.objects.get(koperasi=koperasi).memo == "Beli ATK"


@pytest.mark.django_db
def test_a_hand_read_post_field_is_refused_too(client, koperasi):
    """Views that read request.POST without a form (here the reason for turning a reversal
    down) are covered by the middleware: a NUL in any posted field answers 400 before the
    view, so the proposal stays pending."""
    from kopdes.ledger import services
    from kopdes.ledger.testing import post_simple

    with_books(koperasi)
    bendahara = testing.make_user("bendahara", koperasi)
    entry = post_simple(koperasi, actor=bendahara, date=timezone.localdate())
    proposal = services.propose_reversal(entry, actor=bendahara, reason="salah akun")
    testing.login(client, testing.make_user("ketua", koperasi))
    url = reverse(
        "approvals:reject",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "ledger-reversal",
            "approval_item_id": proposal.pk,
        },
    )
    response = client.post(url, {"reason": "tidak\x00perlu"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{MESSAGE} (U+0000)" in page and "reason" in page
    proposal.refresh_from_db()
    assert proposal.state == "pending"
    response = client.post(url, {"reason": "tidak perlu"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "rejected" and proposal.decision_note == "tidak perlu"


# --- the API -------------------------------------------------------------------------------


def _auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _ledger_body(memo, line_memo=""):
    return {
        "date": timezone.localdate().isoformat(),
        "memo": memo,
        "lines": [
            {"account": "5-2100", "side": "D", "amount": 25_000_00, "memo": line_memo},
            {"account": "1-1100", "side": "C", "amount": 25_000_00},
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "codepoint"),
    [
        (_ledger_body("Bayar listrik\x00"), "memo", "U+0000"),
        (_ledger_body("Bayar \u202elistrik"), "memo", "U+202E"),
        (_ledger_body("Bayar listrik", line_memo="baris\nbaru"), "memo", "U+000A"),
    ],
)
def test_ledger_api_refuses_control_characters_with_a_422_and_writes_nothing(
    client, koperasi, body, field, codepoint
):
    with_books(koperasi)
    response = client.post(
        f"/api/k/{koperasi.slug}/ledger/entries",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="api-teks",
        **_auth(testing.make_user("bendahara", koperasi)),
    )
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "invalid"
    assert data["message"] == (
        f"Data tidak valid: {MESSAGE} ({codepoint}); hapus karakter itu lalu coba lagi."
    )
    assert data["field"] == field
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_ledger_api_refuses_a_lone_surrogate(client, koperasi):
    with_books(koperasi)
    raw = json.dumps(_ledger_body("Bayar listrik")).replace("Bayar listrik", "Bayar \\ud800")
    response = client.post(
        f"/api/k/{koperasi.slug}/ledger/entries",
        data=raw,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="api-teks-2",
        **_auth(testing.make_user("bendahara", koperasi)),
    )
    assert response.status_code == 422
    assert "(U+D800)" in response.json()["message"]
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_savings_deposit_api_refuses_a_nul_memo_and_writes_nothing(client, koperasi):
    from kopdes.savings.models import SavingsTransaction
    from kopdes.savings.testing import teller, voluntary_account

    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    entries = JournalEntry.objects.count()
    moves = SavingsTransaction.objects.count()
    response = client.post(
        f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/deposits",
        {"amount": 50_000_00, "memo": "setoran\x00"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="dep-teks",
        **_auth(kasir),
    )
    assert response.status_code == 422, response.content
    assert MESSAGE in response.json()["message"]
    assert response.json()["field"] == "memo"
    assert JournalEntry.objects.count() == entries
    assert SavingsTransaction.objects.count() == moves


@pytest.mark.django_db
def test_members_api_reads_its_body_by_hand_and_still_refuses(client, koperasi):
    from kopdes.members.models import Member

    body = {
        "full_name": "Siti\x00 Aminah",
        "nik": "3201264101900001",
        "kk_number": "3201260101900001",
        "birth_place": "Bogor",
        "birth_date": "1990-01-01",
        "sex": "P",
        "address": "Jl. Mawar 7",
    }
    response = client.post(
        f"/api/k/{koperasi.slug}/members",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="mem-teks",
        **_auth(testing.make_user("sekretaris", koperasi)),
    )
    assert 400 <= response.status_code < 500, response.content
    assert MESSAGE in response.json()["message"]
    assert not Member.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_member_excel_import_reports_a_refused_character_by_row_and_writes_nothing(
    client, koperasi
):
    """An uploaded workbook is a form too: XML can carry a bidi override or a C1 control."""
    import io

    from kopdes.members import onboarding
    from kopdes.members.models import Member
    from kopdes.members.testing import registration_data
    from kopdes.platform.documents.xlsx import workbook_bytes

    testing.login(client, testing.make_user("sekretaris", koperasi))
    wb = onboarding.template_workbook(koperasi)
    d = registration_data(koperasi, serial=41)
    wb[onboarding.SHEET].append(
        [f"{d['full_name']}\u202e", d["nik"], d["kk_number"], d["birth_place"],
         d["birth_date"].strftime("%d-%m-%Y"), d["sex"], "Jl. Mawar\x85 7", "", d["phone"],
         d["occupation"], "", "", ""]
    )  # fmt: skip
    upload = io.BytesIO(workbook_bytes(wb))
    upload.name = "anggota.xlsx"
    url = reverse("members:member-import", kwargs={"slug": koperasi.slug})
    html = client.post(url, {"file": upload}).content.decode()
    assert f"{MESSAGE} (U+202E)" in html and f"{MESSAGE} (U+0085)" in html
    assert "<td>full_name" in html and "<td>address" in html
    assert not Member.objects.filter(koperasi=koperasi).exists()


@pytest.mark.django_db
def test_loans_api_reads_its_body_by_hand_and_still_refuses(client, koperasi):
    from kopdes.loans import testing as loans_testing
    from kopdes.loans.models import Repayment

    officers = {
        "maker": testing.make_user("petugas_pinjaman", koperasi),
        "checker": testing.make_user("ketua", koperasi),
        "payer": testing.make_user("bendahara", koperasi),
        "kasir": testing.make_user("kasir", koperasi),
    }
    loan = loans_testing.active_loan(koperasi, officers=officers)
    response = client.post(
        f"/api/k/{koperasi.slug}/loans/{loan.pk}/repayments",
        {"amount": 1_000_00, "date": "2026-04-02", "source": "cash\u202e"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="loan-teks",
        **_auth(officers["kasir"]),
    )
    assert response.status_code == 422, response.content
    assert f"{MESSAGE} (U+202E)" in response.json()["message"]
    assert response.json()["field"] == "source"
    assert not Repayment.objects.filter(loan=loan).exists()
