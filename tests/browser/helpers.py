"""Helpers shared by the browser tests: enter as a user without typing the login, and the
checks every page must pass on a phone and a laptop (no sideways scroll, amounts whole)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from kopdes.platform.core import testing

from .conftest import DESKTOP, PHONE

SIZES = [(PHONE, "360"), (DESKTOP, "1280")]

# For each element: its text and how many lines the text takes (1 = not wrapped).
LINES_OF = """els => els.filter(e => e.textContent.trim() && e.getClientRects().length).map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const tops = new Set(Array.from(range.getClientRects())
    .filter(r => r.width > 0 && r.height > 0).map(r => Math.round(r.top)));
  return [e.textContent.trim(), tops.size];
})"""


def enter_as(page, base_url: str, user) -> None:
    """Open the browser's session as ``user`` (past TOTP), without typing the login."""
    client = testing.login(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def fits(page, width: int) -> bool:
    """The page does not scroll sideways at ``width`` px."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def assert_amounts_whole(page, selector: str = "td.num, .amount") -> int:
    """No amount matched by ``selector`` breaks across lines; returns how many were seen."""
    lines = page.eval_on_selector_all(selector, LINES_OF)
    wrapped = [text for text, count in lines if count != 1]
    assert wrapped == [], f"amounts broken across lines: {wrapped}"
    return len(lines)
