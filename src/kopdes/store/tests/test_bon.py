"""Member credit (bon): the limit is an AD/ART setting (``AdArt.bon_limit``, default
Rp500.000, on the AD/ART page), the checkout reads it; a member pays her bon off (Debit
Kas, Credit Piutang 1-1400), never more than she owes, once per key; her current bon is
her bon sales less her repayments less the bon refunded by returns."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry
from kopdes.platform.core.errors import ConflictError, DomainError
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.tenancy import services as tenancy
from kopdes.platform.tenancy.forms import AdArtForm
from kopdes.savings.testing import active_member
from kopdes.store import services
from kopdes.store.errors import StoreError
from kopdes.store.models import BonRepayment, Sale
from kopdes.store.testing import on_shift
from kopdes.store.tests.test_pos_pages import _stocked

pytestmark = pytest.mark.django_db


def _bon_sale(koperasi, member, *, amount=35_000_00, quantity=2, key="s1"):
    item = _stocked(koperasi)
    return services.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": quantity}],
        member=member,
        payments=[Payment("bon", amount)],
        idempotency_key=key,
    )


def _set_adart(koperasi, **changes):
    adart = {**koperasi.adart.to_json(), **changes}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)
    koperasi.refresh_from_db()


def test_the_default_bon_limit_is_rp500000(koperasi):
    assert koperasi.adart.bon_limit == 500_000_00
    assert services.bon_limit(koperasi) == 500_000_00


def test_a_repayment_posts_kas_against_piutang_and_lowers_the_bon(koperasi):
    member = active_member(koperasi)
    _bon_sale(koperasi, member)
    assert services.current_bon(koperasi, member) == 35_000_00
    kasir = make_user("kasir", koperasi)
    paid = services.repay_bon(
        koperasi, actor=kasir, member=member, amount=10_000_00, idempotency_key="b1"
    )
    assert paid.replayed is False and paid.bon_after == 25_000_00
    assert services.current_bon(koperasi, member) == 25_000_00
    lines = {(x.account.code, x.side, x.amount) for x in paid.entry.lines.select_related("account")}
    unit = services.bon_unit(koperasi)
    assert lines == {(unit.cash_account, "D", 10_000_00), ("1-1400", "C", 10_000_00)}
    # The same key and content again: the first repayment, nothing new.
    again = services.repay_bon(
        koperasi, actor=kasir, member=member, amount=10_000_00, idempotency_key="b1"
    )
    assert again.pk == paid.pk and again.replayed is True
    assert services.current_bon(koperasi, member) == 25_000_00
    with pytest.raises(ConflictError):
        services.repay_bon(
            koperasi, actor=kasir, member=member, amount=5_000_00, idempotency_key="b1"
        )
    # She pays the rest: nothing left.
    services.repay_bon(koperasi, actor=kasir, member=member, amount=25_000_00, idempotency_key="b2")
    assert services.current_bon(koperasi, member) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (35_000_01, "lebih dari bon"),
        (0, "lebih dari nol"),
        (-5_000_00, "lebih dari nol"),
        ("10000", "lebih dari nol"),
    ],
)
def test_bad_repayments_are_refused_and_write_nothing(koperasi, amount, message):
    member = active_member(koperasi)
    _bon_sale(koperasi, member)
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    with pytest.raises(StoreError) as exc:
        services.repay_bon(
            koperasi,
            actor=make_user("kasir", koperasi),
            member=member,
            amount=amount,
            idempotency_key="bad",
        )
    assert message in exc.value.message
    assert not BonRepayment.objects.exists()
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries


def test_no_bon_to_pay_and_another_koperasi_member_are_refused(koperasi, other_koperasi):
    member = active_member(koperasi)
    kasir = make_user("kasir", koperasi)
    services.bon_unit(koperasi) or _stocked(koperasi)
    with pytest.raises(StoreError) as exc:
        services.repay_bon(
            koperasi, actor=kasir, member=member, amount=1_000_00, idempotency_key="x"
        )
    assert "tidak punya bon" in exc.value.message
    stranger = active_member(other_koperasi)
    with pytest.raises(StoreError) as exc:
        services.repay_bon(
            koperasi, actor=kasir, member=stranger, amount=1_000_00, idempotency_key="y"
        )
    assert "tidak ditemukan" in exc.value.message
    assert not BonRepayment.objects.exists()


def test_the_checkout_reads_the_adart_limit_and_repayments_free_it(koperasi):
    member = active_member(koperasi)
    _set_adart(koperasi, bon_limit=50_000_00)
    _bon_sale(koperasi, member, amount=35_000_00, key="s1")
    sales = Sale.objects.count()
    with pytest.raises(StoreError) as exc:  # 35.000 + 35.000 > 50.000
        _bon_sale(koperasi, member, amount=35_000_00, key="s2")
    assert "melebihi sisa batas bon" in exc.value.message
    assert Sale.objects.count() == sales
    services.repay_bon(
        koperasi,
        actor=make_user("kasir", koperasi),
        member=member,
        amount=20_000_00,
        idempotency_key="b1",
    )
    _bon_sale(koperasi, member, amount=35_000_00, key="s2")  # 15.000 + 35.000 = the limit
    assert services.current_bon(koperasi, member) == 50_000_00


def test_a_limit_of_zero_means_no_bon(koperasi):
    member = active_member(koperasi)
    _set_adart(koperasi, bon_limit=0)
    with pytest.raises(StoreError) as exc:
        _bon_sale(koperasi, member, amount=17_500_00, quantity=1)
    assert "melebihi sisa batas bon" in exc.value.message


def test_a_bon_limit_outside_the_rules_is_refused_by_clean_adart(koperasi):
    with pytest.raises(DomainError) as exc:
        tenancy.clean_adart({"bon_limit": -1})
    assert exc.value.field == "adart.bon_limit"
    with pytest.raises(DomainError):
        tenancy.clean_adart({"bon_limit": "500000"})
    assert tenancy.clean_adart({"bon_limit": 0}).bon_limit == 0


def _adart_post(koperasi, **changes):
    data = {
        k: v for k, v in AdArtForm.initial_for(koperasi.adart).items() if v not in (False, None)
    }
    data.update(changes)
    return data


def test_the_adart_page_sets_the_bon_limit(client, koperasi):
    login(client, make_user("ketua", koperasi))
    url = reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug})
    page = client.get(url).content.decode()
    assert 'name="bon_limit"' in page and 'value="500.000"' in page
    response = client.post(url, _adart_post(koperasi, bon_limit="250.000"))
    assert response.status_code == 302
    koperasi.refresh_from_db()
    assert koperasi.adart.bon_limit == 250_000_00
    profile = client.get(reverse("tenancy:profile", kwargs={"slug": koperasi.slug}))
    assert "Rp 250.000" in profile.content.decode()
    # Bad input: a message in Indonesian, nothing changed.
    response = client.post(url, _adart_post(koperasi, bon_limit="dua ratus"))
    assert response.status_code == 200
    koperasi.refresh_from_db()
    assert koperasi.adart.bon_limit == 250_000_00
    response = client.post(url, _adart_post(koperasi, bon_limit="0"))
    koperasi.refresh_from_db()
    assert koperasi.adart.bon_limit == 0


def _bon_url(koperasi):
    return reverse("store:bon-repay", kwargs={"slug": koperasi.slug})


def test_the_bon_page_checks_in_words_then_posts_once(client, koperasi):
    member = active_member(koperasi)
    _bon_sale(koperasi, member)
    login(client, on_shift(koperasi))
    page = client.get(_bon_url(koperasi), {"member": member.number}).content.decode()
    assert "Rp 35.000" in page  # what she owes
    review = client.post(
        _bon_url(koperasi), {"member": member.number, "amount": "15.000", "key": "k1"}
    )
    body = review.content.decode()
    assert "lima belas ribu rupiah" in body.lower() and "Rp 20.000" in body
    assert not BonRepayment.objects.exists()  # nothing before confirming
    confirm = {
        "member": member.number,
        "amount": "15.000",
        "key": "k1",
        "action": "confirm",
        "checked": f"{member.number}:{15_000_00}",
    }
    done = client.post(_bon_url(koperasi), confirm)
    assert done.status_code == 302
    client.post(_bon_url(koperasi), confirm)  # resent (a double press): posted once
    assert BonRepayment.objects.count() == 1
    assert services.current_bon(koperasi, member) == 20_000_00
    # A confirmation of an amount that was not checked is shown again, not posted.
    changed = client.post(_bon_url(koperasi), {**confirm, "amount": "5.000", "key": "k2"})
    assert changed.status_code == 200 and BonRepayment.objects.count() == 1


def test_overpaying_on_the_page_is_refused_in_indonesian(client, koperasi):
    member = active_member(koperasi)
    _bon_sale(koperasi, member)
    login(client, on_shift(koperasi))
    response = client.post(
        _bon_url(koperasi),
        {
            "member": member.number,
            "amount": "50.000",
            "key": "k1",
            "action": "confirm",
            "checked": f"{member.number}:{50_000_00}",
        },
    )
    assert "lebih dari bon" in response.content.decode()
    response = client.post(_bon_url(koperasi), {"member": member.number, "amount": "lima ribu"})
    assert response.status_code == 200 and 'data-testid="bon-error"' in response.content.decode()
    assert not BonRepayment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("kasir", 200), ("pengawas", 403)])
def test_who_may_take_a_bon_payment(client, koperasi, role, status):
    user = on_shift(koperasi) if role == "kasir" else make_user(role, koperasi)
    login(client, user)
    assert client.get(_bon_url(koperasi)).status_code == status


def test_the_bon_page_needs_an_open_shift(client, koperasi):
    login(client, make_user("kasir", koperasi))
    response = client.get(_bon_url(koperasi))
    assert response.status_code == 302
    assert response.url == reverse("store:shift", kwargs={"slug": koperasi.slug})
