"""The demo: two realistic Koperasi Desa Merah Putih with an officer for every role.

``build_demo(seed)`` is seeded and reproducible (``random.Random(seed)``) and goes through
the real services, so every row has its audit event. It is idempotent: a koperasi or a
user that already exists is left alone, so ``kopdes demo`` can run on every start.

Later issues add members, savings, loans and sales through ``EXTENSIONS``: a function
``extend(koperasi, rng)`` appended from the app's ``demo.py`` module (found automatically
in every installed app, like ``admin.py``)::

    # kopdes/savings/demo.py
    from kopdes.demo import EXTENSIONS, demo_officer

    def add_savings(koperasi, rng):
        bendahara = demo_officer(koperasi, "bendahara")
        ...  # call kopdes.savings.services with actor=bendahara

    EXTENSIONS.append(add_savings)

An extension runs once per koperasi, right after the koperasi is created, inside the same
transaction, with its own ``random.Random`` derived from the seed, the koperasi and the
extension's name (so adding an extension never changes the data another one makes).
"""

from __future__ import annotations

import random
from collections.abc import Callable

# (koperasi, rng) -> None; appended to by the apps' demo.py modules.
EXTENSIONS: list[Callable[..., None]] = []


def extension_rng(seed: int, slug: str, extension: Callable[..., None]) -> random.Random:
    """The seeded generator an extension gets for one koperasi."""
    name = f"{getattr(extension, '__module__', '')}.{getattr(extension, '__qualname__', '')}"
    return random.Random(f"{seed}:{slug}:{name}")


# Imported after EXTENSIONS exists: build.py reads it when the demo is built.
from kopdes.demo.build import (  # noqa: E402
    DEMO_PASSWORD,
    DemoLogin,
    DemoResult,
    build_demo,
    demo_officer,
    demo_username,
)

__all__ = [
    "DEMO_PASSWORD",
    "EXTENSIONS",
    "DemoLogin",
    "DemoResult",
    "build_demo",
    "demo_officer",
    "demo_username",
    "extension_rng",
]
