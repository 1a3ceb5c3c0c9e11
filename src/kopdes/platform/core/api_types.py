"""Field types shared by the API's request bodies.

``Sen``: an amount of money in a request body is a JSON integer of sen, more than zero.
Pydantic's lax ``int`` took ``true`` as 1 sen, ``"100"`` as 100 and ``100.0`` as 100; here
a boolean, a string, a float (even a whole one) or anything else is refused before any
service runs: a 422 ``{"code": "invalid", "message": "Data tidak valid: ...", "field":
"amount"}`` from ``api_errors`` and nothing written. The upper bound stays the services'
(``domain.money.MAX_SEN``), which say it in their own words.

Every money field of every request schema uses it (``tests`` of each API send ``true``,
``"100"``, ``1.5``, ``-1`` and ``0``).
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Gt
from pydantic import BeforeValidator, Strict
from pydantic_core import PydanticCustomError


def _json_integer_of_sen(value: Any) -> Any:
    # type() and not isinstance(): True is an int to Python, never an amount here.
    if type(value) is not int:
        raise PydanticCustomError(
            "amount_not_integer",
            "Jumlah harus bilangan bulat dalam sen (angka JSON tanpa tanda kutip, tanpa desimal).",
        )
    if value <= 0:
        raise PydanticCustomError("amount_not_positive", "Jumlah harus lebih dari nol.")
    return value


#: A positive amount in sen, as a JSON integer only (see the module docstring).
Sen = Annotated[int, BeforeValidator(_json_integer_of_sen), Strict(), Gt(0)]
