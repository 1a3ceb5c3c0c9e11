"""The one permission matrix: which role may do what. Tested cell by cell.

Codes are ``"<app>.<verb>"``. Later issues add their rows here (and to the test table in
``identity/tests/test_permissions.py``), never ``if role == ...`` checks in views.
"""

from __future__ import annotations

from collections.abc import Iterable

from kopdes.platform.identity.choices import Role

R = Role
_OFFICERS = {R.KETUA, R.SEKRETARIS, R.BENDAHARA, R.PENGAWAS, R.MANAJER, R.KASIR, R.PETUGAS_PINJAMAN}
_OVERSIGHT = {R.PENDAMPING, R.DINAS, R.KEMENTERIAN, R.ADMIN}

MATRIX: dict[str, frozenset[Role]] = {
    # The dashboard of a koperasi: every role that belongs to it.
    "web.view_dashboard": frozenset(_OFFICERS | _OVERSIGHT | {R.ANGGOTA}),
    "tenancy.view_profile": frozenset(_OFFICERS | _OVERSIGHT),
    "tenancy.edit_profile": frozenset({R.KETUA, R.SEKRETARIS, R.ADMIN}),
    "tenancy.edit_adart": frozenset({R.KETUA, R.ADMIN}),
    "identity.view_officers": frozenset(_OFFICERS | {R.ADMIN}),
    "identity.invite_officer": frozenset({R.KETUA, R.ADMIN}),
    "identity.revoke_role": frozenset({R.KETUA, R.ADMIN}),
    "audit.view": frozenset({R.KETUA, R.PENGAWAS, R.ADMIN}),
    # The approvals inbox (issue 14): the roles that may decide at least one registered
    # kind of approval (it lists, per item, only what her roles may decide).
    "approvals.view": frozenset({R.KETUA, R.BENDAHARA, R.PENGAWAS, R.MANAJER, R.PETUGAS_PINJAMAN}),
    # Bookkeeping (issue 3).
    "ledger.view": frozenset(_OFFICERS | _OVERSIGHT),
    "ledger.post_manual": frozenset({R.BENDAHARA, R.MANAJER}),
    "ledger.propose_reversal": frozenset({R.BENDAHARA, R.MANAJER}),
    "ledger.approve_reversal": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "ledger.propose_close": frozenset({R.BENDAHARA}),
    "ledger.approve_close": frozenset({R.KETUA}),
    "ledger.manage_accounts": frozenset({R.BENDAHARA, R.MANAJER}),
    "ledger.import_opening": frozenset({R.BENDAHARA}),
    "ledger.export": frozenset(_OFFICERS | _OVERSIGHT),
    # Members (issue 4). The register is kept by ketua, sekretaris and kasir; leaving is
    # maker-checker (proposed by an officer, approved by the ketua).
    "members.view": frozenset(_OFFICERS),
    "members.register": frozenset({R.KETUA, R.SEKRETARIS, R.KASIR}),
    "members.edit": frozenset({R.KETUA, R.SEKRETARIS}),
    "members.import": frozenset({R.KETUA, R.SEKRETARIS}),
    "members.propose_exit": frozenset({R.KETUA, R.SEKRETARIS, R.BENDAHARA, R.KASIR}),
    "members.approve_exit": frozenset({R.KETUA}),
    "members.anonymise": frozenset({R.KETUA}),
    "members.issue_portal_code": frozenset({R.KETUA, R.SEKRETARIS, R.KASIR}),
    "members.print_card": frozenset({R.KETUA, R.SEKRETARIS, R.KASIR}),
    # The member portal: a member's own data only.
    "members.portal": frozenset({R.ANGGOTA}),
    # Member savings (issue 4).
    "savings.view": frozenset(_OFFICERS | {R.ADMIN}),
    "savings.teller": frozenset({R.KASIR, R.BENDAHARA, R.MANAJER}),
    "savings.approve_withdrawal": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "savings.approve_correction": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "savings.run_jasa": frozenset({R.BENDAHARA}),
    "savings.import_opening": frozenset({R.BENDAHARA}),
    "savings.settle_exit": frozenset({R.KETUA, R.SEKRETARIS, R.BENDAHARA, R.MANAJER, R.ADMIN}),
    # Loans to members (issue 5). Maker-checker: whoever enters an application never
    # decides it (services); above the AD/ART threshold only the ketua approves; a
    # write-off needs the ketua and a pengawas.
    "loans.view": frozenset(_OFFICERS | {R.ADMIN}),
    "loans.manage_products": frozenset({R.KETUA, R.MANAJER}),
    "loans.apply": frozenset({R.KETUA, R.MANAJER, R.KASIR, R.PETUGAS_PINJAMAN}),
    "loans.approve": frozenset({R.KETUA, R.MANAJER, R.PETUGAS_PINJAMAN}),
    "loans.disburse": frozenset({R.BENDAHARA, R.MANAJER, R.KASIR}),
    "loans.repay": frozenset({R.BENDAHARA, R.MANAJER, R.KASIR, R.PETUGAS_PINJAMAN}),
    "loans.run_daily": frozenset({R.BENDAHARA, R.MANAJER}),
    "loans.propose_restructure": frozenset({R.MANAJER, R.PETUGAS_PINJAMAN}),
    "loans.approve_restructure": frozenset({R.KETUA}),
    "loans.propose_write_off": frozenset({R.BENDAHARA, R.MANAJER, R.PETUGAS_PINJAMAN}),
    "loans.approve_write_off": frozenset({R.KETUA, R.PENGAWAS}),
    "loans.manage_relationships": frozenset({R.KETUA}),
    "loans.manage_bank_loan": frozenset({R.KETUA, R.BENDAHARA}),
    # The store and business units (issue 15). The catalog (items, prices) is kept by the
    # manajer (and ketua); suppliers also by the bendahara, who pays them; enabling a unit
    # opens its accounts through ledger.services.create_account, so it goes to the roles
    # with ledger.manage_accounts.
    "store.view": frozenset(_OFFICERS - {R.PETUGAS_PINJAMAN}),
    "store.manage_catalog": frozenset({R.KETUA, R.MANAJER}),
    "store.manage_suppliers": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "store.manage_units": frozenset({R.BENDAHARA, R.MANAJER}),
    # Point of sale and stock (issue 15 sections 2 and 4): the kasir rings up sales (the
    # manajer covers the counter); a price below cost only by the manajer and ketua; goods
    # are received by the manajer and the bendahara, who pays or owes the supplier.
    "store.sell": frozenset({R.MANAJER, R.KASIR}),
    "store.sell_below_cost": frozenset({R.KETUA, R.MANAJER}),
    "store.receive_stock": frozenset({R.BENDAHARA, R.MANAJER}),
    # Cash shifts and voids / returns (issue 15 sections 4 and 2): whoever sells opens and
    # closes her shift; the shifts and their differences (selisih kas) are seen by the
    # pengawas, the ketua, the bendahara (who posts the books) and the manajer (who may
    # close a shift a kasir left open). A void or return is proposed at the counter and
    # approved by another officer who answers for the money (ketua, bendahara, manajer).
    "store.shift": frozenset({R.MANAJER, R.KASIR}),
    "store.view_shifts": frozenset({R.KETUA, R.BENDAHARA, R.PENGAWAS, R.MANAJER}),
    "store.propose_return": frozenset({R.MANAJER, R.KASIR}),
    "store.approve_return": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    # Store reports (issue 15 section 7): sales with their HPP and margins, members' and
    # others' sales against the ledger. For the board, the pengawas and the manajer; not
    # the kasir (she sees today's sales on the dashboard and her own receipts).
    "store.view_reports": frozenset({R.KETUA, R.SEKRETARIS, R.BENDAHARA, R.PENGAWAS, R.MANAJER}),
    # Stock opname and transfers (issue 15 section 4): the counter's officers count (kasir,
    # manajer, bendahara); the differences are approved by another officer who answers for
    # the stock (ketua, bendahara, manajer; never the one who counted: four eyes); stock is
    # moved between units by the officers who receive it.
    "store.count_stock": frozenset({R.BENDAHARA, R.MANAJER, R.KASIR}),
    "store.approve_count": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "store.transfer": frozenset({R.BENDAHARA, R.MANAJER}),
    # Subsidised channels (issue 15 section 5). HET, quotas and seasons are set by the
    # manajer (and ketua); buyers are registered at the counter; the sale is the kasir's.
    # The LPG daily register carries full NIKs (the operator's register, the one place they
    # leave the koperasi), so it is exported only by the ketua and the manajer who runs the
    # pangkalan; the pupuk and SPHP reports show NIKs masked.
    "subsidy.view": frozenset(_OFFICERS - {R.PETUGAS_PINJAMAN}),
    "subsidy.manage_settings": frozenset({R.KETUA, R.MANAJER}),
    "subsidy.register_buyer": frozenset({R.KETUA, R.SEKRETARIS, R.MANAJER, R.KASIR}),
    "subsidy.import_allocations": frozenset({R.KETUA, R.SEKRETARIS, R.MANAJER}),
    "subsidy.sell": frozenset({R.MANAJER, R.KASIR}),
    "subsidy.export_register": frozenset({R.KETUA, R.MANAJER}),
    "subsidy.export_reports": frozenset({R.KETUA, R.BENDAHARA, R.PENGAWAS, R.MANAJER}),
    # Purchasing (issue 15 section 3): orders, goods received, payables and members'
    # harvest are the manajer's and the bendahara's (who pays and owes the suppliers; the
    # same roles as store.receive_stock, which receiving goes through); ketua and pengawas
    # (and the sekretaris) see them.
    "purchasing.view": frozenset({R.KETUA, R.SEKRETARIS, R.BENDAHARA, R.PENGAWAS, R.MANAJER}),
    "purchasing.order": frozenset({R.BENDAHARA, R.MANAJER}),
    "purchasing.receive": frozenset({R.BENDAHARA, R.MANAJER}),
    "purchasing.pay": frozenset({R.BENDAHARA, R.MANAJER}),
    "purchasing.buy_harvest": frozenset({R.BENDAHARA, R.MANAJER}),
    # The apotek desa (issue 15 section 6): its pages (batches, expiry lists, the SIPNAP
    # report) are seen by the officers of the store; the responsible pharmacist and the
    # drugs' information are kept by the ketua and the manajer who runs the apotek; drugs
    # are dispensed at the counter by whoever sells (the checkout's line rule); batches
    # are received through store.receive_stock.
    "pharmacy.view": frozenset(_OFFICERS - {R.PETUGAS_PINJAMAN}),
    "pharmacy.manage": frozenset({R.KETUA, R.MANAJER}),
    "pharmacy.dispense": frozenset({R.MANAJER, R.KASIR}),
    # Consignment (titip jual, issue 15 section 3): every store officer sees the consignors'
    # statements; terms and goods in/out are kept by the manajer (and ketua, bendahara, who
    # agree terms with the UMKM); the payout leaves the Kas: the bendahara and the manajer.
    "consignment.view": frozenset(_OFFICERS - {R.PETUGAS_PINJAMAN}),
    "consignment.manage": frozenset({R.KETUA, R.BENDAHARA, R.MANAJER}),
    "consignment.pay": frozenset({R.BENDAHARA, R.MANAJER}),
    # Personal data (UU PDP). Least privilege: clear NIK/phone/address only for the officers
    # who keep the member register; everyone else sees masked values (platform/privacy).
    "privacy.reveal": frozenset({R.KETUA, R.SEKRETARIS}),
    "privacy.manage_consent": frozenset({R.KETUA, R.SEKRETARIS}),
    "privacy.manage_requests": frozenset({R.KETUA, R.SEKRETARIS}),
    "privacy.manage_breaches": frozenset({R.KETUA, R.SEKRETARIS, R.PENGAWAS}),
}

# Rank for "nobody grants a role above their own". Equal ranks may grant each other.
RANK: dict[Role, int] = {
    R.ADMIN: 100,
    R.KEMENTERIAN: 90,
    R.DINAS: 80,
    R.PENDAMPING: 70,
    R.KETUA: 60,
    R.SEKRETARIS: 50,
    R.BENDAHARA: 50,
    R.PENGAWAS: 50,
    R.MANAJER: 50,
    R.KASIR: 40,
    R.PETUGAS_PINJAMAN: 40,
    R.ANGGOTA: 10,
}


def has_perm(roles: Iterable[Role | str], code: str) -> bool:
    """True when any of ``roles`` is allowed ``code``. Unknown codes are never allowed."""
    allowed = MATRIX.get(code)
    if allowed is None:
        return False
    return any(Role(r) in allowed for r in roles)


def highest_rank(roles: Iterable[Role | str]) -> int:
    return max((RANK[Role(r)] for r in roles), default=0)


def may_grant(granter_roles: Iterable[Role | str], role: Role | str) -> bool:
    """A role may be granted only by someone allowed to invite whose rank is not lower."""
    granter_roles = list(granter_roles)
    if not has_perm(granter_roles, "identity.invite_officer"):
        return False
    return RANK[Role(role)] <= highest_rank(granter_roles)


def role_label(roles: Iterable[Role | str], permission: str | None = None) -> str:
    """The audit row's ``role``: the roles the actor held in the koperasi when she acted,
    only those that allow ``permission`` when it is given, sorted and comma-separated
    ("bendahara,ketua"); "" for none (a system job). The one definition of the audit role
    label: every service imports it from here (``audit.role_names`` reads it back)."""
    if permission is not None:
        roles = [r for r in roles if has_perm([r], permission)]
    return ",".join(sorted(str(r) for r in roles))
