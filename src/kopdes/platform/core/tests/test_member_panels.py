"""members shows savings and loans through ``core.member_panels``, never by importing them."""

from __future__ import annotations

import ast
import pathlib

import pytest

from kopdes.members import selectors
from kopdes.platform.core import member_panels

MEMBERS = pathlib.Path(selectors.__file__).parent


def test_savings_and_loans_register_their_panels():
    assert member_panels.provider("savings") is not None
    assert member_panels.provider("loans") is not None
    assert member_panels.provider("store") is None


def test_without_the_savings_app_the_members_pages_leave_the_panels_out(monkeypatch):
    monkeypatch.setattr(member_panels, "PROVIDERS", {})
    member = object()  # never read: no provider is asked
    assert selectors.savings_and_loans(member, savings=True, loans=True) == {
        "savings": [],
        "loans": [],
    }
    assert selectors.savings_summary(member) is None
    assert selectors.savings_passbook(member) is None
    assert selectors.passbook_rows([]) == []


@pytest.mark.parametrize("path", sorted(p for p in MEMBERS.rglob("*.py") if "tests" not in p.parts))
def test_members_never_reaches_savings_or_loans_by_import_module(path):
    tree = ast.parse(path.read_text())
    names = {
        node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, (ast.Attribute, ast.Name))
    }
    assert "import_module" not in names, path
