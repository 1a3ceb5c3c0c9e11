"""Demo loans: every state and every kolektibilitas class, plus the Himbara bank loan.

Runs after the savings demo (imported first below, so its extension is appended first):
members are aktif and hold savings. Dates are relative to today, so a fresh demo always
shows a current portfolio: loans paid off, current (lancar), late by ~1-2 months (DPK),
~3-4 months (kurang lancar), ~5 months (diragukan) and more than 6 months (macet); one
restructured, one written off with a recovery; applications waiting, approved and
rejected. Everything goes through the services (maker-checker included). Seeded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

# Members, then savings, then loans: a loan needs an active member with savings. The
# extensions run in the order they were appended, and "loans" sorts before both apps in
# INSTALLED_APPS, so their demo modules are imported (and appended) here first.
import kopdes.members.demo
import kopdes.savings.demo  # noqa: F401
from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.domain.loans import add_months
from kopdes.loans import services
from kopdes.loans.choices import Kolektibilitas, LoanStatus
from kopdes.loans.models import BankLoan, Installment, Loan
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member

PRODUCTS = [
    {
        "code": "UT",
        "name": "Pinjaman Usaha Tani",
        "method": "flat",
        "rate_percent": Decimal("1.5"),
        "rate_per": "month",
        "term_min": 3,
        "term_max": 24,
        "admin_fee_bp": 100,
        "provisi_bp": 100,
        "penalty_bp": 10,
        "penalty_per": "day",
        "penalty_grace_days": 3,
        "savings_multiple": 0,
        "plafond_max": 25_000_000_00,
        "requirements": "Penjamin: suami/istri. Agunan di atas Rp10 juta: BPKB atau sertifikat.",
    },
    {
        "code": "KS",
        "name": "Pinjaman Konsumtif",
        "method": "anuitas",
        "rate_percent": Decimal("18"),
        "rate_per": "year",
        "term_min": 6,
        "term_max": 36,
        "admin_fee_bp": 50,
        "provisi_bp": 0,
        "fee_mode": "separate",
        "penalty_bp": 200,
        "penalty_per": "month",
        "penalty_grace_days": 7,
        "plafond_max": 10_000_000_00,
    },
    {
        "code": "DR",
        "name": "Pinjaman Darurat",
        "method": "efektif",
        "rate_percent": Decimal("1"),
        "rate_per": "month",
        "term_min": 1,
        "term_max": 6,
        "savings_multiple": 3,
    },
]

# (product code, principal Rp, term, months ago disbursed, installments paid on time, state)
SCENARIOS = [
    ("UT", 6_000_000, 12, 14, 12, "paid_off"),
    ("KS", 3_000_000, 6, 9, 6, "paid_off"),
    ("UT", 5_000_000, 12, 5, 5, "lancar"),
    ("UT", 8_000_000, 12, 3, 3, "lancar"),
    ("KS", 4_500_000, 12, 4, 4, "lancar"),
    ("UT", 2_000_000, 10, 6, 6, "lancar"),
    ("UT", 7_000_000, 12, 7, 5, "dpk"),
    ("KS", 2_500_000, 12, 6, 5, "dpk"),
    ("UT", 3_000_000, 12, 8, 4, "kurang_lancar"),
    ("UT", 4_000_000, 12, 9, 4, "diragukan"),
    ("KS", 6_000_000, 12, 12, 4, "macet"),
    ("UT", 5_000_000, 12, 10, 3, "restructure"),
    ("UT", 3_500_000, 12, 13, 2, "write_off"),
    ("UT", 4_000_000, 12, 0, 0, "applied"),
    ("KS", 2_000_000, 6, 0, 0, "applied"),
    ("UT", 6_000_000, 12, 0, 0, "approved"),
    ("KS", 9_000_000, 24, 0, 0, "rejected"),
]


# Collateral on a few loans, so the PPAP shows what each binding counts.
DEMO_COLLATERAL: dict[str, dict] = {
    "dpk": {
        "collateral_value": 2_000_000_00,
        "collateral_binding": "cash",
        "collateral_note": "Simpanan sukarela diblokir",
    },
    "diragukan": {
        "collateral_value": 12_000_000_00,
        "collateral_binding": "fidusia",
        "collateral_note": "BPKB sepeda motor, akta fidusia",
    },
    "macet": {
        "collateral_value": 60_000_000_00,
        "collateral_binding": "hak_tanggungan",
        "collateral_note": "SHM tanah sawah, APHT",
    },
}


def add_loans(koperasi, rng) -> None:
    if Loan.objects.filter(koperasi=koperasi).exists():
        return  # idempotent: the demo runs on every start
    members = list(
        Member.objects.filter(koperasi=koperasi, status=MemberStatus.ACTIVE).order_by("number")
    )
    if len(members) < len(SCENARIOS):
        return
    ketua = demo_officer(koperasi, "ketua")
    petugas = demo_officer(koperasi, "petugas_pinjaman")
    bendahara = demo_officer(koperasi, "bendahara")
    kasir = demo_officer(koperasi, "kasir")
    pengawas = demo_officer(koperasi, "pengawas")
    manajer = demo_officer(koperasi, "manajer")
    products = {p["code"]: services.create_product(koperasi, actor=ketua, data=p) for p in PRODUCTS}
    today = timezone.localdate()
    borrowers = rng.sample(members, k=len(SCENARIOS))
    services.record_relationship(
        borrowers[0], actor=ketua, user=petugas, relation="adik ipar"
    )  # so the demo shows a relative the petugas may not approve
    for n, (code, rupiah, term, months_ago, paid, state) in enumerate(SCENARIOS):
        member = borrowers[n]
        product = products[code]
        start = add_months(today, -months_ago) - dt.timedelta(days=rng.randrange(0, 10))
        loan = services.apply_for_loan(
            member,
            actor=petugas,
            product=product,
            principal=rupiah * 100,
            term=term,
            applied_on=start - dt.timedelta(days=3) if months_ago else today,
            purpose=rng.choice(["Modal tanam padi", "Beli pupuk", "Biaya sekolah", "Renovasi"]),
            declared_income=rng.randrange(25, 80) * 100_000_00,
            declared_expense=rng.randrange(10, 20) * 100_000_00,
            idempotency_key=f"demo:loan:{n}",
            **DEMO_COLLATERAL.get(state, {}),
        )
        if state == "applied":
            continue
        if state == "rejected":
            services.reject_loan(loan, actor=ketua, reason="Penghasilan belum mencukupi angsuran.")
            continue
        # The relative in borrowers[0] is approved by the ketua, never by the petugas.
        services.approve_loan(loan, actor=ketua if n == 0 or rupiah > 10_000_000 else manajer)
        if state == "approved":
            continue
        loan = services.disburse_loan(
            loan,
            actor=bendahara,
            date=start,
            method="cash",
            idempotency_key=f"demo:disburse:{n}",
        )
        rows = list(Installment.objects.filter(loan=loan).order_by("period"))
        for row in rows[:paid]:
            if row.due_date > today:
                break
            pay_day = row.due_date + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 5]))
            pay_day = min(pay_day, today)
            dues = services.dues_on(loan, pay_day)
            amount = min(dues.total_due or row.installment, dues.payoff.total)
            if amount <= 0:
                continue
            services.repay_loan(
                loan,
                actor=kasir,
                amount=amount,
                date=pay_day,
                idempotency_key=f"demo:repay:{n}:{row.period}",
            )
            loan.refresh_from_db()
        if state == "paid_off":
            loan.refresh_from_db()
            if loan.status == "active":
                day = min(today, rows[-1].due_date)
                services.repay_loan(
                    loan,
                    actor=kasir,
                    amount=services.dues_on(loan, day).payoff.total,
                    date=day,
                    idempotency_key=f"demo:payoff:{n}",
                    accelerated=True,
                )
        elif state == "restructure":
            proposal = services.propose_restructure(
                loan,
                actor=petugas,
                reason="Gagal panen karena banjir",
                term=18,
                rate_percent="1",
                start_date=today - dt.timedelta(days=40),
                grace_periods=2,
            )
            services.approve_proposal(proposal, actor=ketua, date=today - dt.timedelta(days=40))
        elif state == "write_off":
            proposal = services.propose_write_off(
                loan, actor=petugas, reason="Anggota pindah ke luar pulau, tidak dapat dihubungi."
            )
            day = today - dt.timedelta(days=20)
            services.approve_proposal(proposal, actor=ketua, date=day)
            services.approve_proposal(proposal, actor=pengawas, date=day)
            services.record_recovery(
                loan,
                actor=kasir,
                amount=250_000_00,
                date=today - dt.timedelta(days=5),
                idempotency_key=f"demo:recovery:{n}",
            )
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    services.run_daily(koperasi, actor=bendahara, as_of=last_month_end)
    services.run_daily(koperasi, actor=bendahara, as_of=today, post_ppap=False)
    _bank_loan(koperasi, ketua, today)


def _bank_loan(koperasi, ketua, today: dt.date) -> None:
    """The Himbara loan (PMK 49/2025): Rp3 billion plafond, 6% a year, 72 months, 6 months
    grace; Rp1.5 billion drawn; every installment due so far paid on its date."""
    if BankLoan.objects.filter(koperasi=koperasi).exists():
        return
    start = add_months(today, -8).replace(day=5)
    bank_loan = services.create_bank_loan(
        koperasi,
        actor=ketua,
        lender="Bank Rakyat Indonesia (Himbara)",
        reference="KUR-KDMP/2026/0142",
        plafond=3_000_000_000_00,
        rate_percent="6",
        term=72,
        grace_periods=6,
        start_date=start,
    )
    services.draw_bank_loan(
        bank_loan,
        actor=ketua,
        amount=1_500_000_000_00,
        date=start,
        idempotency_key=f"demo:bank:draw:{koperasi.pk}",
    )
    for period, due, principal, interest in services.bank_schedule(bank_loan):
        if due > today:
            break
        services.pay_bank_installment(
            bank_loan,
            actor=ketua,
            principal=principal,
            interest=interest,
            date=due,
            idempotency_key=f"demo:bank:pay:{koperasi.pk}:{period}",
        )


def link_member_login(koperasi, rng) -> None:
    """The demo member login (``anggota.<slug>``) is a real member: one who holds savings
    and a current loan paid on time, so "My membership" and "My loans" show her own data."""
    from kopdes.members.services import link_portal_user

    user = demo_officer(koperasi, "anggota")
    if Member.objects.filter(koperasi=koperasi, user=user).exists():
        return
    loan = (
        Loan.objects.filter(
            koperasi=koperasi,
            status=LoanStatus.ACTIVE,
            kolektibilitas=Kolektibilitas.LANCAR,
            restructured=False,
            member__user__isnull=True,
        )
        .select_related("member")
        .order_by("number")
        .first()
    )
    if loan is None:
        return
    link_portal_user(loan.member, user=user, actor=demo_officer(koperasi, "sekretaris"))


EXTENSIONS.append(add_loans)
EXTENSIONS.append(link_member_login)
