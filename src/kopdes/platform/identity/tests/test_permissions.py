"""The permission matrix, cell by cell, written out by hand (never computed from MATRIX).

A new permission code in ``permissions.MATRIX`` fails ``test_table_covers_every_code`` until
its row is written here too: whoever adds a power must say, for every role, yes or no.
"""

from __future__ import annotations

import pytest

from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import MATRIX, RANK, has_perm, highest_rank, may_grant

# Column order of the table below.
COLUMNS = [
    Role.KETUA,
    Role.SEKRETARIS,
    Role.BENDAHARA,
    Role.PENGAWAS,
    Role.MANAJER,
    Role.KASIR,
    Role.PETUGAS_PINJAMAN,
    Role.ANGGOTA,
    Role.PENDAMPING,
    Role.DINAS,
    Role.KEMENTERIAN,
    Role.ADMIN,
]

# X = allowed, . = refused
# fmt: off
TABLE = """
code                     ket sek ben pgw man kas ptp ang pdp din kem adm
web.view_dashboard        X   X   X   X   X   X   X   X   X   X   X   X
tenancy.view_profile      X   X   X   X   X   X   X   .   X   X   X   X
tenancy.edit_profile      X   X   .   .   .   .   .   .   .   .   .   X
tenancy.edit_adart        X   .   .   .   .   .   .   .   .   .   .   X
identity.view_officers    X   X   X   X   X   X   X   .   .   .   .   X
identity.invite_officer   X   .   .   .   .   .   .   .   .   .   .   X
identity.revoke_role      X   .   .   .   .   .   .   .   .   .   .   X
audit.view                X   .   .   X   .   .   .   .   .   .   .   X
approvals.view            X   .   X   X   X   .   X   .   .   .   .   .
ledger.view               X   X   X   X   X   X   X   .   X   X   X   X
ledger.post_manual        .   .   X   .   X   .   .   .   .   .   .   .
ledger.propose_reversal   .   .   X   .   X   .   .   .   .   .   .   .
ledger.approve_reversal   X   .   X   .   X   .   .   .   .   .   .   .
ledger.propose_close      .   .   X   .   .   .   .   .   .   .   .   .
ledger.approve_close      X   .   .   .   .   .   .   .   .   .   .   .
ledger.manage_accounts    .   .   X   .   X   .   .   .   .   .   .   .
ledger.import_opening     .   .   X   .   .   .   .   .   .   .   .   .
ledger.export             X   X   X   X   X   X   X   .   X   X   X   X
savings.view              X   X   X   X   X   X   X   .   .   .   .   X
savings.teller            .   .   X   .   X   X   .   .   .   .   .   .
savings.approve_withdrawal X  .   X   .   X   .   .   .   .   .   .   .
savings.approve_correction X  .   X   .   X   .   .   .   .   .   .   .
savings.run_jasa          .   .   X   .   .   .   .   .   .   .   .   .
savings.import_opening    .   .   X   .   .   .   .   .   .   .   .   .
savings.settle_exit       X   X   X   .   X   .   .   .   .   .   .   X
loans.view                X   X   X   X   X   X   X   .   .   .   .   X
loans.manage_products     X   .   .   .   X   .   .   .   .   .   .   .
loans.apply               X   .   .   .   X   X   X   .   .   .   .   .
loans.approve             X   .   .   .   X   .   X   .   .   .   .   .
loans.disburse            .   .   X   .   X   X   .   .   .   .   .   .
loans.repay               .   .   X   .   X   X   X   .   .   .   .   .
loans.run_daily           .   .   X   .   X   .   .   .   .   .   .   .
loans.propose_restructure .   .   .   .   X   .   X   .   .   .   .   .
loans.approve_restructure X   .   .   .   .   .   .   .   .   .   .   .
loans.propose_write_off   .   .   X   .   X   .   X   .   .   .   .   .
loans.approve_write_off   X   .   .   X   .   .   .   .   .   .   .   .
loans.manage_relationships X  .   .   .   .   .   .   .   .   .   .   .
loans.manage_bank_loan    X   .   X   .   .   .   .   .   .   .   .   .
members.view              X   X   X   X   X   X   X   .   .   .   .   .
members.register          X   X   .   .   .   X   .   .   .   .   .   .
members.edit              X   X   .   .   .   .   .   .   .   .   .   .
members.import            X   X   .   .   .   .   .   .   .   .   .   .
members.propose_exit      X   X   X   .   .   X   .   .   .   .   .   .
members.approve_exit      X   .   .   .   .   .   .   .   .   .   .   .
members.anonymise         X   .   .   .   .   .   .   .   .   .   .   .
members.issue_portal_code X   X   .   .   .   X   .   .   .   .   .   .
members.print_card        X   X   .   .   .   X   .   .   .   .   .   .
members.portal            .   .   .   .   .   .   .   X   .   .   .   .
store.view                X   X   X   X   X   X   .   .   .   .   .   .
store.manage_catalog      X   .   .   .   X   .   .   .   .   .   .   .
store.manage_suppliers    X   .   X   .   X   .   .   .   .   .   .   .
store.manage_units        .   .   X   .   X   .   .   .   .   .   .   .
store.sell                .   .   .   .   X   X   .   .   .   .   .   .
store.sell_below_cost     X   .   .   .   X   .   .   .   .   .   .   .
store.receive_stock       .   .   X   .   X   .   .   .   .   .   .   .
store.view_reports        X   X   X   X   X   .   .   .   .   .   .   .
store.count_stock         .   .   X   .   X   X   .   .   .   .   .   .
store.approve_count       X   .   X   .   X   .   .   .   .   .   .   .
store.transfer            .   .   X   .   X   .   .   .   .   .   .   .
store.shift               .   .   .   .   X   X   .   .   .   .   .   .
store.view_shifts         X   .   X   X   X   .   .   .   .   .   .   .
store.propose_return      .   .   .   .   X   X   .   .   .   .   .   .
store.approve_return      X   .   X   .   X   .   .   .   .   .   .   .
subsidy.view              X   X   X   X   X   X   .   .   .   .   .   .
subsidy.manage_settings   X   .   .   .   X   .   .   .   .   .   .   .
subsidy.register_buyer    X   X   .   .   X   X   .   .   .   .   .   .
subsidy.import_allocations X  X   .   .   X   .   .   .   .   .   .   .
subsidy.sell              .   .   .   .   X   X   .   .   .   .   .   .
subsidy.export_register   X   .   .   .   X   .   .   .   .   .   .   .
subsidy.export_reports    X   .   X   X   X   .   .   .   .   .   .   .
purchasing.view           X   X   X   X   X   .   .   .   .   .   .   .
purchasing.order          .   .   X   .   X   .   .   .   .   .   .   .
purchasing.receive        .   .   X   .   X   .   .   .   .   .   .   .
purchasing.pay            .   .   X   .   X   .   .   .   .   .   .   .
purchasing.buy_harvest    .   .   X   .   X   .   .   .   .   .   .   .
pharmacy.view             X   X   X   X   X   X   .   .   .   .   .   .
pharmacy.manage           X   .   .   .   X   .   .   .   .   .   .   .
pharmacy.dispense         .   .   .   .   X   X   .   .   .   .   .   .
consignment.view          X   X   X   X   X   X   .   .   .   .   .   .
consignment.manage        X   .   X   .   X   .   .   .   .   .   .   .
consignment.pay           .   .   X   .   X   .   .   .   .   .   .   .
privacy.reveal            X   X   .   .   .   .   .   .   .   .   .   .
privacy.manage_consent    X   X   .   .   .   .   .   .   .   .   .   .
privacy.manage_requests   X   X   .   .   .   .   .   .   .   .   .   .
privacy.manage_breaches   X   X   .   X   .   .   .   .   .   .   .   .
"""
# fmt: on


def _parse(table: str) -> dict[str, dict[Role, bool]]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert len(header) == len(COLUMNS) + 1
    parsed: dict[str, dict[Role, bool]] = {}
    for row in rows:
        code, marks = row[0], row[1:]
        assert len(marks) == len(COLUMNS), f"row {code} has {len(marks)} cells"
        assert set(marks) <= {"X", "."}, f"row {code}: use X or ."
        assert code not in parsed, f"row {code} twice"
        parsed[code] = {role: mark == "X" for role, mark in zip(COLUMNS, marks, strict=True)}
    return parsed


EXPECTED = _parse(TABLE)
CELLS = [(code, role, allowed) for code, row in EXPECTED.items() for role, allowed in row.items()]


def test_columns_are_every_role():
    assert sorted(COLUMNS) == sorted(Role)


def test_table_covers_every_code():
    assert sorted(EXPECTED) == sorted(MATRIX)


@pytest.mark.parametrize(("code", "role", "allowed"), CELLS, ids=[f"{c}-{r}" for c, r, _a in CELLS])
def test_cell(code, role, allowed):
    assert has_perm([role], code) is allowed


def test_unknown_code_is_never_allowed():
    assert not has_perm(list(Role), "identity.do_anything")
    assert not has_perm([], "web.view_dashboard")


def test_any_of_several_roles_is_enough():
    assert has_perm([Role.ANGGOTA, Role.PENGAWAS], "audit.view")
    assert not has_perm([Role.ANGGOTA, Role.KASIR], "audit.view")


# granter roles, role to grant, expected
GRANTS = [
    ([Role.KETUA], Role.KETUA, True),  # equal rank may grant each other
    ([Role.KETUA], Role.SEKRETARIS, True),
    ([Role.KETUA], Role.BENDAHARA, True),
    ([Role.KETUA], Role.PENGAWAS, True),
    ([Role.KETUA], Role.MANAJER, True),
    ([Role.KETUA], Role.KASIR, True),
    ([Role.KETUA], Role.PETUGAS_PINJAMAN, True),
    ([Role.KETUA], Role.ANGGOTA, True),
    ([Role.KETUA], Role.PENDAMPING, False),
    ([Role.KETUA], Role.DINAS, False),
    ([Role.KETUA], Role.KEMENTERIAN, False),
    ([Role.KETUA], Role.ADMIN, False),
    ([Role.ADMIN], Role.ADMIN, True),
    ([Role.ADMIN], Role.KEMENTERIAN, True),
    ([Role.ADMIN], Role.KETUA, True),
    ([Role.ADMIN], Role.ANGGOTA, True),
    # Roles without identity.invite_officer grant nothing, whatever their rank.
    ([Role.SEKRETARIS], Role.KASIR, False),
    ([Role.BENDAHARA], Role.ANGGOTA, False),
    ([Role.PENGAWAS], Role.ANGGOTA, False),
    ([Role.KASIR], Role.KASIR, False),
    ([Role.ANGGOTA], Role.ANGGOTA, False),
    ([Role.KEMENTERIAN], Role.KETUA, False),
    ([Role.DINAS], Role.KETUA, False),
    ([Role.PENDAMPING], Role.ANGGOTA, False),
    ([], Role.ANGGOTA, False),
    # A kasir who is also ketua grants as a ketua.
    ([Role.KASIR, Role.KETUA], Role.BENDAHARA, True),
]


@pytest.mark.parametrize(("granter", "role", "expected"), GRANTS)
def test_may_grant(granter, role, expected):
    assert may_grant(granter, role) is expected


def test_every_role_has_a_rank_and_admin_is_highest():
    assert set(RANK) == set(Role)
    assert highest_rank(list(Role)) == RANK[Role.ADMIN]
    assert highest_rank([]) == 0
    assert RANK[Role.KETUA] > RANK[Role.BENDAHARA] > RANK[Role.KASIR] > RANK[Role.ANGGOTA]


def test_role_label_is_the_one_audit_role_label():
    from kopdes.platform.identity.permissions import role_label

    assert role_label([Role.KETUA, Role.BENDAHARA]) == "bendahara,ketua"
    assert role_label([]) == ""
    # With a permission: only the roles that allow it (a kasir cannot approve withdrawals).
    held = [Role.KASIR, Role.KETUA, Role.MANAJER]
    assert role_label(held, "savings.approve_withdrawal") == "ketua,manajer"
    assert role_label(held, "no.such_permission") == ""
