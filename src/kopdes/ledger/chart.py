"""The cooperative chart of accounts (DOMAIN.md section 6), installed for every koperasi.

Accounts marked "per unit" get one child per business unit the koperasi runs, coded with
the unit's digit in the last place: ``unit_code("4-1100", "sembako") == "4-1101"``. Other
modules find their accounts by these codes (``selectors.get_account_for_unit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kopdes.ledger.choices import AccountType, SubledgerKind

A, L, E, R, X = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)

# One digit per business unit (kopdes.platform.tenancy.choices.BusinessUnit values).
UNIT_DIGITS: dict[str, int] = {
    "kantor": 0,
    "sembako": 1,
    "apotek": 2,
    "klinik": 3,
    "simpan_pinjam": 4,
    "pergudangan": 5,
    "logistik": 6,
}
UNIT_NAMES: dict[str, str] = {
    "kantor": "kantor",
    "sembako": "gerai sembako",
    "apotek": "apotek desa",
    "klinik": "klinik desa",
    "simpan_pinjam": "unit simpan pinjam",
    "pergudangan": "pergudangan",
    "logistik": "logistik",
}


@dataclass(frozen=True)
class TemplateAccount:
    code: str
    name: str
    type: AccountType
    parent: str = ""
    contra: bool = False
    subledger: str = ""
    unit: str = ""
    member_revenue: bool = False
    per_unit: bool = False  # add one child per enabled business unit
    section: str = ""  # where the statement of SHU shows it (``SHU_SECTIONS``); "" = by type


# Sections of the statement of SHU (laporan perhitungan hasil usaha, SAK EP and the
# ministry's cooperative accounting guideline). Revenue goes by ``member_revenue``
# (partisipasi bruto or pendapatan dari non-anggota) unless its template names a section;
# an expense without a section is an operating expense (beban usaha). An account an
# officer adds goes where its nearest template ancestor goes.
MEMBER_COST = "member_cost"  # beban pokok of the members' participation
NON_MEMBER_COST = "non_member_cost"  # cost of sales to non-members
OPERATING = "operating"  # beban usaha
COOPERATIVE = "cooperative"  # beban perkoperasian (RAT, pendidikan)
OTHER_INCOME = "other_income"  # pendapatan lain-lain
OTHER_EXPENSE = "other_expense"  # beban lain-lain
TAX = "tax"  # pajak penghasilan
SHU_SECTIONS = (
    MEMBER_COST,
    NON_MEMBER_COST,
    OPERATING,
    COOPERATIVE,
    OTHER_INCOME,
    OTHER_EXPENSE,
    TAX,
)


# Well-known codes other modules post to.
CASH = "1-1100"
BANK = "1-1200"
LOANS_RECEIVABLE = "1-1300"
LOAN_LOSS_ALLOWANCE = "1-1310"
TRADE_RECEIVABLE = "1-1400"
INVENTORY = "1-1500"
QRIS_CLEARING = "1-1600"
VOLUNTARY_SAVINGS = "2-1100"
TERM_SAVINGS = "2-1200"
TRADE_PAYABLE = "2-1300"
CONSIGNMENT_PAYABLE = "2-1310"  # utang konsinyasi: per consignor (sub-ledger)
TAX_PAYABLE = "2-1400"
SHU_UNDISTRIBUTED = "2-1500"
BANK_LOAN = "2-2100"
PRINCIPAL_SAVINGS = "3-1100"
MANDATORY_SAVINGS = "3-1200"
RESERVE = "3-2000"
GRANTS = "3-3000"
SHU_CURRENT_YEAR = "3-9000"
REVENUE_MEMBERS = "4-1100"
REVENUE_NON_MEMBERS = "4-1200"
LOAN_INTEREST_INCOME = "4-2100"
LOAN_FEE_INCOME = "4-2200"
LOAN_PENALTY_INCOME = "4-2300"
COST_OF_GOODS_SOLD = "5-1100"  # sales to members: beban pokok of partisipasi anggota
COST_OF_GOODS_SOLD_NON_MEMBERS = "5-1200"
OPERATING_EXPENSE = "5-2100"
SAVINGS_INTEREST_EXPENSE = "5-2200"
BANK_INTEREST_EXPENSE = "5-2300"
LOAN_LOSS_EXPENSE = "5-2400"
COOPERATIVE_EXPENSE = "5-2500"
DEPRECIATION_EXPENSE = "5-2600"
OTHER_INCOME_ACCOUNT = "4-9000"
OTHER_EXPENSE_ACCOUNT = "5-9000"
INCOME_TAX_EXPENSE = "5-9100"
# Template names an older chart installed, renamed by migration 0006 where unchanged.
RENAMED = {
    COST_OF_GOODS_SOLD: ("Harga pokok penjualan (HPP)", "Harga pokok penjualan (HPP) - anggota")
}

TEMPLATE: tuple[TemplateAccount, ...] = (
    TemplateAccount(CASH, "Kas", A, per_unit=True),
    TemplateAccount(BANK, "Bank", A),
    TemplateAccount(LOANS_RECEIVABLE, "Piutang pinjaman anggota", A, subledger="loans"),
    TemplateAccount(LOAN_LOSS_ALLOWANCE, "Cadangan kerugian piutang (PPAP)", A, contra=True),
    TemplateAccount(TRADE_RECEIVABLE, "Piutang usaha / bon anggota", A),
    TemplateAccount(INVENTORY, "Persediaan", A, subledger="inventory", per_unit=True),
    TemplateAccount(QRIS_CLEARING, "Piutang QRIS (kliring)", A),
    TemplateAccount("1-2000", "Aset tetap", A),
    TemplateAccount("1-2100", "Aset tetap (harga perolehan)", A, parent="1-2000"),
    TemplateAccount("1-2900", "Akumulasi penyusutan", A, parent="1-2000", contra=True),
    TemplateAccount(VOLUNTARY_SAVINGS, "Simpanan sukarela", L, subledger="savings"),
    TemplateAccount(TERM_SAVINGS, "Simpanan berjangka", L, subledger="savings"),
    TemplateAccount(TRADE_PAYABLE, "Utang usaha / utang konsinyasi UMKM", L),
    # What the koperasi owes each UMKM for its consigned goods sold (titip jual), one
    # sub-ledger per consignor (the store supplier's id); paid out at settlement.
    TemplateAccount(
        CONSIGNMENT_PAYABLE,
        "Utang konsinyasi UMKM",
        L,
        parent=TRADE_PAYABLE,
        subledger="consignment",
    ),
    TemplateAccount(TAX_PAYABLE, "Utang pajak", L),
    TemplateAccount(SHU_UNDISTRIBUTED, "Dana SHU belum dibagi", L),
    TemplateAccount("2-1510", "Dana SHU bagian anggota", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount("2-1520", "Dana pengurus dan pengawas", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount("2-1530", "Dana karyawan", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount("2-1540", "Dana pendidikan", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount("2-1550", "Dana sosial", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount("2-1560", "Dana pembangunan desa", L, parent=SHU_UNDISTRIBUTED),
    TemplateAccount(BANK_LOAN, "Utang bank (Himbara)", L),
    TemplateAccount(PRINCIPAL_SAVINGS, "Simpanan pokok", E, subledger="savings"),
    TemplateAccount(MANDATORY_SAVINGS, "Simpanan wajib", E, subledger="savings"),
    TemplateAccount(RESERVE, "Cadangan", E),
    TemplateAccount(GRANTS, "Hibah / donasi", E),
    TemplateAccount(SHU_CURRENT_YEAR, "SHU tahun berjalan", E),
    TemplateAccount(
        REVENUE_MEMBERS,
        "Pendapatan usaha - partisipasi anggota",
        R,
        member_revenue=True,
        per_unit=True,
    ),
    TemplateAccount(REVENUE_NON_MEMBERS, "Pendapatan usaha - non-anggota", R, per_unit=True),
    # Savings and loans are for members only (closed loop), so all of it is participation.
    TemplateAccount(
        "4-2000", "Pendapatan simpan pinjam", R, unit="simpan_pinjam", member_revenue=True
    ),
    TemplateAccount(
        LOAN_INTEREST_INCOME,
        "Pendapatan jasa pinjaman",
        R,
        parent="4-2000",
        unit="simpan_pinjam",
        member_revenue=True,
    ),
    TemplateAccount(
        LOAN_FEE_INCOME,
        "Pendapatan provisi dan administrasi",
        R,
        parent="4-2000",
        unit="simpan_pinjam",
        member_revenue=True,
    ),
    TemplateAccount(
        LOAN_PENALTY_INCOME,
        "Pendapatan denda",
        R,
        parent="4-2000",
        unit="simpan_pinjam",
        member_revenue=True,
    ),
    TemplateAccount(OTHER_INCOME_ACCOUNT, "Pendapatan lain-lain", R, section=OTHER_INCOME),
    TemplateAccount(
        COST_OF_GOODS_SOLD,
        "Harga pokok penjualan (HPP) - anggota",
        X,
        per_unit=True,
        section=MEMBER_COST,
    ),
    TemplateAccount(
        COST_OF_GOODS_SOLD_NON_MEMBERS,
        "Harga pokok penjualan (HPP) - non-anggota",
        X,
        per_unit=True,
        section=NON_MEMBER_COST,
    ),
    TemplateAccount("5-2000", "Beban", X, section=OPERATING),
    TemplateAccount(OPERATING_EXPENSE, "Beban usaha", X, parent="5-2000", section=OPERATING),
    # Jasa on the members' savings is the cost of the lending members take part in.
    TemplateAccount(
        SAVINGS_INTEREST_EXPENSE, "Beban jasa simpanan", X, parent="5-2000", section=MEMBER_COST
    ),
    TemplateAccount(
        BANK_INTEREST_EXPENSE, "Beban bunga bank", X, parent="5-2000", section=OPERATING
    ),
    TemplateAccount(LOAN_LOSS_EXPENSE, "Beban PPAP", X, parent="5-2000", section=OPERATING),
    TemplateAccount(
        COOPERATIVE_EXPENSE,
        "Beban perkoperasian (RAT, pendidikan)",
        X,
        parent="5-2000",
        section=COOPERATIVE,
    ),
    TemplateAccount(
        DEPRECIATION_EXPENSE, "Beban penyusutan", X, parent="5-2000", section=OPERATING
    ),
    TemplateAccount(OTHER_EXPENSE_ACCOUNT, "Beban lain-lain", X, section=OTHER_EXPENSE),
    TemplateAccount(INCOME_TAX_EXPENSE, "Beban pajak penghasilan", X, section=TAX),
)

SECTION_OF: dict[str, str] = {t.code: t.section for t in TEMPLATE if t.section}


def unit_code(base_code: str, unit: str) -> str:
    """The code of the per-unit child of ``base_code`` ("1-1100", "sembako" -> "1-1101")."""
    digit = UNIT_DIGITS[unit]
    return base_code[:-1] + str(digit) if digit else base_code


def expand(units: list[str]) -> list[TemplateAccount]:
    """The template for a koperasi running ``units``, per-unit children included.

    The kantor unit (digit 0) uses the base account itself, so it gets no child.
    """
    accounts: list[TemplateAccount] = []
    enabled = [u for u in UNIT_DIGITS if u in units and UNIT_DIGITS[u]]
    for t in TEMPLATE:
        accounts.append(t)
        if not t.per_unit:
            continue
        for unit in enabled:
            accounts.append(
                TemplateAccount(
                    code=unit_code(t.code, unit),
                    name=f"{t.name} - {UNIT_NAMES[unit]}",
                    type=t.type,
                    parent=t.code,
                    contra=t.contra,
                    subledger=t.subledger,
                    unit=unit,
                    member_revenue=t.member_revenue,
                    section=t.section,
                )
            )
    return accounts


SUBLEDGER_KINDS = frozenset(SubledgerKind.values)
# "1-1100", "4-1101", "1-1100.01": type digit, dash, four digits, optional sub-number.
ACCOUNT_CODE = re.compile(r"^[1-5]-[0-9]{4}(?:\.[0-9]{1,3})?$", re.ASCII)
