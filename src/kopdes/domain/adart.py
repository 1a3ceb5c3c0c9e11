"""AD/ART settings: the numbers a koperasi's statutes fix, typed and validated.

Stored as JSON on the koperasi; every later module reads them through ``AdArt``.
Amounts are sen (int); percentages are basis points (1% = 100) so they add up exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SHU_POOLS: tuple[str, ...] = (
    "cadangan",
    "jasa_usaha",
    "jasa_modal",
    "pembangunan_desa",
    "dana_pengurus_pengawas",
    "dana_karyawan",
    "dana_pendidikan",
    "dana_sosial",
)

# DOMAIN.md section 4: the default KDMP split, in basis points (sums to 10,000).
DEFAULT_SHU_SPLIT: dict[str, int] = {
    "cadangan": 3000,
    "jasa_usaha": 2000,
    "jasa_modal": 1500,
    "pembangunan_desa": 2000,
    "dana_pengurus_pengawas": 500,
    "dana_karyawan": 500,
    "dana_pendidikan": 250,
    "dana_sosial": 250,
}

MAX_AMOUNT_SEN = 10**15 * 100


class AdArtError(ValueError):
    """A setting breaks a rule; ``field`` names it, the message is in Bahasa Indonesia."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class AdArt:
    """The AD/ART settings of one koperasi, with the DOMAIN.md defaults."""

    simpanan_pokok_amount: int = 50_000_00
    simpanan_wajib_amount: int = 10_000_00
    pokok_wajib_as_equity: bool = True
    shu_split: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SHU_SPLIT))
    # A withdrawal above this waits for a second officer (sen).
    withdrawal_approval_threshold: int = 5_000_000_00
    # A loan above this needs the ketua as well as the loan officer (sen).
    loan_approval_threshold: int = 10_000_000_00
    rat_quorum_bp: int = 5001
    rat_month_from: int = 1
    rat_month_to: int = 6

    def __post_init__(self) -> None:
        if not isinstance(self.pokok_wajib_as_equity, bool):
            raise AdArtError("pokok_wajib_as_equity", "Isian ini harus ya atau tidak.")
        for name in ("rat_quorum_bp", "rat_month_from", "rat_month_to"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise AdArtError(name, "Isian ini harus bilangan bulat.")
        if not isinstance(self.shu_split, dict) or not all(
            isinstance(k, str) for k in self.shu_split
        ):
            raise AdArtError("shu_split", "Pembagian SHU harus berupa daftar pos dan persentase.")
        for name in (
            "simpanan_pokok_amount",
            "simpanan_wajib_amount",
            "withdrawal_approval_threshold",
            "loan_approval_threshold",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise AdArtError(name, "Jumlah harus bilangan bulat dalam sen.")
            if value <= 0 or value > MAX_AMOUNT_SEN:
                raise AdArtError(name, "Jumlah harus lebih dari nol dan masuk akal.")
        if set(self.shu_split) != set(SHU_POOLS):
            missing = sorted(set(SHU_POOLS) - set(self.shu_split))
            extra = sorted(set(self.shu_split) - set(SHU_POOLS))
            raise AdArtError(
                "shu_split",
                f"Pembagian SHU harus memuat tepat pos: kurang {missing}, lebih {extra}.",
            )
        if any(
            not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in self.shu_split.values()
        ):
            raise AdArtError("shu_split", "Persentase pembagian SHU tidak boleh negatif.")
        if sum(self.shu_split.values()) != 10_000:
            total = sum(self.shu_split.values())
            raise AdArtError(
                "shu_split",
                f"Pembagian SHU harus berjumlah 100%, sekarang {total // 100},{total % 100:02d}%.",
            )
        if not 1 <= self.rat_quorum_bp <= 10_000:
            raise AdArtError("rat_quorum_bp", "Kuorum RAT harus antara 0,01% dan 100%.")
        for name in ("rat_month_from", "rat_month_to"):
            if not 1 <= getattr(self, name) <= 12:
                raise AdArtError(name, "Bulan harus antara 1 dan 12.")
        if self.rat_month_from > self.rat_month_to:
            raise AdArtError("rat_month_to", "Bulan akhir RAT tidak boleh sebelum bulan awal.")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict; ``from_json(to_json())`` gives back an equal ``AdArt``."""
        return asdict(self)

    def changes_from(self, other: AdArt) -> dict[str, dict[str, Any]]:
        """The settings that differ from ``other``: ``{name: {"before": .., "after": ..}}``."""
        mine, theirs = self.to_json(), other.to_json()
        return {
            key: {"before": theirs[key], "after": mine[key]}
            for key in mine
            if mine[key] != theirs[key]
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> AdArt:
        """Build from stored JSON; unknown keys are refused, missing keys take defaults."""
        if data is not None and not isinstance(data, dict):
            raise AdArtError("adart", "Pengaturan AD/ART harus berupa objek JSON.")
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise AdArtError(unknown[0], f"Pengaturan tidak dikenal: {', '.join(unknown)}.")
        return cls(**data)
