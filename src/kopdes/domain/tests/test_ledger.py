"""domain.ledger: entry validation, canonical form and the hash chain."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain.ledger import (
    GENESIS_HASH,
    AccountFacts,
    AccountType,
    EntryDraft,
    LedgerError,
    LineDraft,
    PostedEntry,
    PostedLine,
    Side,
    canonical_entry,
    chain_hash,
    differences,
    is_balanced,
    period_of,
    signed_balance,
    validate_entry,
)
from kopdes.domain.money import MAX_SEN

KOP = "kop-1"
ACCOUNTS = {
    "1-1100": AccountFacts("1-1100", KOP, True),
    "3-2000": AccountFacts("3-2000", KOP, True),
    "2-1100": AccountFacts("2-1100", KOP, True, subledger_kind="savings"),
    "9-9999": AccountFacts("9-9999", KOP, False),
    "1-9999": AccountFacts("1-9999", "kop-2", True),
}
DAY = dt.date(2026, 3, 31)


def validate(lines, *, memo="Setoran", day=DAY, closed=()):
    validate_entry(
        EntryDraft(date=day, memo=memo, lines=tuple(lines)),
        koperasi_id=KOP,
        accounts=ACCOUNTS,
        is_period_open=lambda p: p not in closed,
    )


def test_balanced_entry_passes():
    validate([LineDraft.debit("1-1100", 100), LineDraft.credit("3-2000", 100)])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([LineDraft.debit("1-1100", 100)], "dua baris"),
        ([LineDraft.debit("1-1100", 100), LineDraft.credit("3-2000", 99)], "tidak seimbang"),
        ([LineDraft.debit("1-1100", 0), LineDraft.credit("3-2000", 0)], "lebih dari nol"),
        ([LineDraft.debit("1-1100", -5), LineDraft.credit("3-2000", -5)], "lebih dari nol"),
        ([LineDraft.debit("1-7777", 5), LineDraft.credit("3-2000", 5)], "tidak dikenal"),
        ([LineDraft.debit("1-9999", 5), LineDraft.credit("3-2000", 5)], "tidak dikenal"),
        ([LineDraft.debit("9-9999", 5), LineDraft.credit("3-2000", 5)], "ditutup"),
        (
            [LineDraft.debit("1-1100", MAX_SEN + 1), LineDraft.credit("3-2000", MAX_SEN + 1)],
            "melebihi batas",
        ),
        (
            [
                LineDraft.debit("1-1100", MAX_SEN),
                LineDraft.debit("1-1100", 1),
                LineDraft.credit("3-2000", MAX_SEN),
                LineDraft.credit("3-2000", 1),
            ],
            "Total jurnal melebihi",
        ),
        ([LineDraft.debit("1-1100", 5), LineDraft.credit("2-1100", 5)], "akun kontrol"),
        (
            [
                LineDraft.debit("1-1100", 5, subledger_kind="savings", subledger_ref="x"),
                LineDraft.credit("2-1100", 5, subledger_kind="savings", subledger_ref="x"),
            ],
            "bukan akun kontrol",
        ),
        # A float amount is the point of this case.
        (
            [
                LineDraft.debit("1-1100", 1.5),  # type: ignore[arg-type]
                LineDraft.credit("3-2000", 1.5),  # type: ignore[arg-type]
            ],
            "bilangan bulat",
        ),
    ],
)
def test_bad_entries_are_refused_with_a_reason(lines, message):
    with pytest.raises(LedgerError) as err:
        validate(lines)
    assert message in err.value.message


def test_memo_required_and_closed_month_refused():
    ok = [LineDraft.debit("1-1100", 5), LineDraft.credit("3-2000", 5)]
    with pytest.raises(LedgerError, match="Keterangan"):
        validate(ok, memo="  ")
    with pytest.raises(LedgerError, match="ditutup") as err:
        validate(ok, closed={202603})
    assert err.value.field == "date"


def test_control_account_line_with_subledger_passes():
    validate(
        [
            LineDraft.debit("1-1100", 5),
            LineDraft.credit("2-1100", 5, subledger_kind="savings", subledger_ref="acc-1"),
        ]
    )


sides = st.sampled_from([Side.DEBIT, Side.CREDIT])


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=10))
def test_any_split_of_debits_against_one_credit_balances(parts):
    lines = [LineDraft.debit("1-1100", p) for p in parts]
    lines.append(LineDraft.credit("3-2000", sum(parts)))
    validate(lines)
    assert is_balanced((str(x.side), x.amount) for x in lines)
    mirrored = [x.mirrored() for x in lines]
    assert is_balanced((str(x.side), x.amount) for x in mirrored)


@given(st.lists(st.tuples(sides, st.integers(1, 10**9)), min_size=2, max_size=10))
def test_validation_agrees_with_is_balanced(pairs):
    lines = [LineDraft("1-1100" if s is Side.DEBIT else "3-2000", s, a) for s, a in pairs]
    balanced = is_balanced((str(s), a) for s, a in pairs)
    if balanced:
        validate(lines)
    else:
        with pytest.raises(LedgerError):
            validate(lines)


def _posted(**overrides):
    base = {
        "id": "e1",
        "koperasi_id": KOP,
        "number": 1,
        "date": DAY,
        "memo": "Setoran simpanan wajib — Bu Siti",
        "source": "manual",
        "source_ref": "",
        "business_unit": "",
        "idempotency_key": "k1",
        "reverses_id": "",
        "kind": "normal",
        "lines": [
            PostedLine(2, "a2", "C", 100, "", "", "", ""),
            PostedLine(1, "a1", "D", 100, "", "", "", ""),
        ],
    }
    base.update(overrides)
    return PostedEntry(**base)  # type: ignore[arg-type]


def test_canonical_form_is_deterministic_and_orders_lines():
    a = canonical_entry(_posted())
    b = canonical_entry(_posted(lines=list(reversed(_posted().lines))))
    assert a == b
    assert a.startswith(b"{")
    assert b"Bu Siti" in a


@given(
    st.sampled_from(["number", "memo", "date", "idempotency_key", "kind", "lines"]),
)
def test_any_change_changes_the_hash(field):
    original = _posted()
    changed_value = {
        "number": 2,
        "memo": "Setoran simpanan wajib — Bu Sita",
        "date": DAY - dt.timedelta(days=1),
        "idempotency_key": "k2",
        "kind": "reversal",
        "lines": [
            PostedLine(1, "a1", "D", 101, "", "", "", ""),
            PostedLine(2, "a2", "C", 101, "", "", "", ""),
        ],
    }[field]
    assert chain_hash(GENESIS_HASH, original) != chain_hash(
        GENESIS_HASH, _posted(**{field: changed_value})
    )
    assert chain_hash(GENESIS_HASH, original) != chain_hash("1" * 64, original)
    assert len(chain_hash(GENESIS_HASH, original)) == 64


def test_differences_names_changed_fields():
    first = EntryDraft(DAY, "a", (LineDraft.debit("1-1100", 5), LineDraft.credit("3-2000", 5)))
    second = EntryDraft(DAY, "b", (LineDraft.debit("1-1100", 6), LineDraft.credit("3-2000", 5)))
    assert differences(first.fingerprint(), second.fingerprint()) == [
        "lines[1].amount",
        "memo",
    ]
    third = EntryDraft(DAY, "a", (LineDraft.debit("1-1100", 5),))
    assert differences(first.fingerprint(), third.fingerprint()) == ["lines (jumlah baris)"]
    assert differences(first.fingerprint(), first.fingerprint()) == []


def test_period_of_and_sides():
    assert period_of(dt.date(2026, 11, 28)) == 202611
    assert AccountType.ASSET.normal_side is Side.DEBIT
    assert AccountType.REVENUE.normal_side is Side.CREDIT
    assert AccountType.EXPENSE.is_result and not AccountType.EQUITY.is_result
    assert signed_balance(Side.CREDIT, 10, 30) == 20
    assert signed_balance(Side.DEBIT, 10, 30) == -20
    assert Side.DEBIT.opposite is Side.CREDIT
