"""AD/ART settings: the numbers a koperasi's statutes fix, typed and validated.

Stored as JSON on the koperasi; every later module reads them through ``AdArt``.
Amounts are sen (int); percentages are basis points (1% = 100) so they add up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kopdes.domain.loans import (
    DEFAULT_BUCKETS,
    DEFAULT_COLLATERAL_FACTORS,
    DEFAULT_PPAP_RATES,
    CollateralBinding,
    Kolektibilitas,
)

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
DEFAULT_BON_LIMIT = 500_000_00

# Kolektibilitas (DOMAIN.md §3): the highest days past due still in classes 1-4, in order;
# above the last one a loan is macet. Defaults from commercial-bank practice.
KOL_DAY_FIELDS: tuple[str, ...] = (
    "kol_lancar_max_days",
    "kol_dpk_max_days",
    "kol_kurang_lancar_max_days",
    "kol_diragukan_max_days",
)
# PPAP rate of each class 1-5 in basis points of the outstanding principal less eligible
# collateral. Defaults from rural-bank practice.
PPAP_RATE_FIELDS: tuple[str, ...] = (
    "ppap_lancar_bp",
    "ppap_dpk_bp",
    "ppap_kurang_lancar_bp",
    "ppap_diragukan_bp",
    "ppap_macet_bp",
)
# Ten years: the widest back-dating allowance a statute can set (0 = every back-dated
# movement needs a second officer).
MAX_BACKDATE_DAYS = 3650
# What part of a collateral's appraised value counts against the PPAP of a DPK-macet loan,
# by how it is bound, in basis points. Defaults: the BPR rules (domain.loans).
COLLATERAL_FACTOR_FIELDS: dict[str, CollateralBinding] = {
    "agunan_tunai_bp": CollateralBinding.CASH,
    "agunan_hak_tanggungan_bp": CollateralBinding.HAK_TANGGUNGAN,
    "agunan_fidusia_bp": CollateralBinding.FIDUSIA,
    "agunan_kuasa_menjual_bp": CollateralBinding.KUASA_MENJUAL,
}
_AGUNAN_NAMES = {
    "agunan_tunai_bp": "agunan tunai (simpanan yang diblokir)",
    "agunan_hak_tanggungan_bp": "agunan dengan hak tanggungan",
    "agunan_fidusia_bp": "agunan dengan fidusia",
    "agunan_kuasa_menjual_bp": "agunan dengan surat kuasa menjual",
}
# The best class a loan may be in and still be proposed for write-off (hapus buku):
# kurang lancar (3) at the earliest; default macet (5), as banks do.
WRITE_OFF_MIN_CLASSES: tuple[int, ...] = (3, 4, 5)
# Ten years past due is already macet under any rule; a larger bound is a typing mistake.
MAX_KOL_DAYS = 3650

_KOL_NAMES = {
    "kol_lancar_max_days": "lancar",
    "kol_dpk_max_days": "dalam perhatian khusus",
    "kol_kurang_lancar_max_days": "kurang lancar",
    "kol_diragukan_max_days": "diragukan",
}
_PPAP_NAMES = {
    "ppap_lancar_bp": "lancar",
    "ppap_dpk_bp": "dalam perhatian khusus",
    "ppap_kurang_lancar_bp": "kurang lancar",
    "ppap_diragukan_bp": "diragukan",
    "ppap_macet_bp": "macet",
}


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
    # A deposit above this waits for a second officer too (sen): a large amount of cash at
    # the counter is checked by two people before it is in the books (maker-checker, as
    # for withdrawals). Rp10.000.000: twice the withdrawal default, since money coming in
    # cannot overdraw, yet a mistyped zero must not make a member rich.
    deposit_approval_threshold: int = 10_000_000_00
    # A loan above this needs the ketua as well as the loan officer (sen).
    loan_approval_threshold: int = 10_000_000_00
    # A teller movement or manual journal dated more than this many days before today
    # waits for a second officer (domain/dates.py).
    backdate_approval_days: int = 7
    rat_quorum_bp: int = 5001
    rat_month_from: int = 1
    rat_month_to: int = 6
    # Kolektibilitas day buckets (upper bounds of lancar, DPK, kurang lancar, diragukan).
    kol_lancar_max_days: int = DEFAULT_BUCKETS[0]
    kol_dpk_max_days: int = DEFAULT_BUCKETS[1]
    kol_kurang_lancar_max_days: int = DEFAULT_BUCKETS[2]
    kol_diragukan_max_days: int = DEFAULT_BUCKETS[3]
    # PPAP rates per class, basis points (50 = 0,5%).
    ppap_lancar_bp: int = DEFAULT_PPAP_RATES[Kolektibilitas.LANCAR]
    ppap_dpk_bp: int = DEFAULT_PPAP_RATES[Kolektibilitas.DALAM_PERHATIAN_KHUSUS]
    ppap_kurang_lancar_bp: int = DEFAULT_PPAP_RATES[Kolektibilitas.KURANG_LANCAR]
    ppap_diragukan_bp: int = DEFAULT_PPAP_RATES[Kolektibilitas.DIRAGUKAN]
    ppap_macet_bp: int = DEFAULT_PPAP_RATES[Kolektibilitas.MACET]
    # Collateral factors by binding, basis points of the appraised value (8000 = 80%).
    agunan_tunai_bp: int = DEFAULT_COLLATERAL_FACTORS[CollateralBinding.CASH]
    agunan_hak_tanggungan_bp: int = DEFAULT_COLLATERAL_FACTORS[CollateralBinding.HAK_TANGGUNGAN]
    agunan_fidusia_bp: int = DEFAULT_COLLATERAL_FACTORS[CollateralBinding.FIDUSIA]
    agunan_kuasa_menjual_bp: int = DEFAULT_COLLATERAL_FACTORS[CollateralBinding.KUASA_MENJUAL]
    # A loan may be proposed for write-off from this kolektibilitas on (5 = macet).
    write_off_min_kolektibilitas: int = int(Kolektibilitas.MACET)
    # Member credit (bon) at the koperasi's store: the most one member may owe, sen
    # (DOMAIN.md: Rp500.000 unless the AD/ART says otherwise; 0 = no bon at all).
    bon_limit: int = DEFAULT_BON_LIMIT

    @property
    def kolektibilitas_buckets(self) -> tuple[int, int, int, int]:
        """The day bounds in the shape ``domain.loans.kolektibilitas`` takes."""
        return (
            self.kol_lancar_max_days,
            self.kol_dpk_max_days,
            self.kol_kurang_lancar_max_days,
            self.kol_diragukan_max_days,
        )

    @property
    def ppap_rates(self) -> Mapping[Kolektibilitas, int]:
        """The PPAP rates in the shape ``domain.loans.ppap_required`` takes."""
        return {
            klass: getattr(self, name)
            for klass, name in zip(Kolektibilitas, PPAP_RATE_FIELDS, strict=True)
        }

    @property
    def collateral_factors(self) -> Mapping[CollateralBinding, int]:
        """The factors in the shape ``domain.loans.ppap_required`` takes (unbound: 0)."""
        factors = {CollateralBinding.NONE: 0}
        for name, binding in COLLATERAL_FACTOR_FIELDS.items():
            factors[binding] = getattr(self, name)
        return factors

    def allows_write_off(self, klass: int) -> bool:
        """Whether a loan of kolektibilitas ``klass`` (1-5) may be written off."""
        return klass >= self.write_off_min_kolektibilitas

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
            "deposit_approval_threshold",
            "loan_approval_threshold",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise AdArtError(name, "Jumlah harus bilangan bulat dalam sen.")
            if value <= 0 or value > MAX_AMOUNT_SEN:
                raise AdArtError(name, "Jumlah harus lebih dari nol dan masuk akal.")
        if (
            not isinstance(self.bon_limit, int)
            or isinstance(self.bon_limit, bool)
            or not 0 <= self.bon_limit <= MAX_AMOUNT_SEN
        ):
            raise AdArtError(
                "bon_limit", "Batas bon anggota harus jumlah rupiah nol atau lebih (0: tanpa bon)."
            )
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
        if (
            not isinstance(self.backdate_approval_days, int)
            or isinstance(self.backdate_approval_days, bool)
            or not 0 <= self.backdate_approval_days <= MAX_BACKDATE_DAYS
        ):
            raise AdArtError(
                "backdate_approval_days",
                f"Batas hari transaksi mundur harus bilangan bulat 0 sampai {MAX_BACKDATE_DAYS}.",
            )
        if not 1 <= self.rat_quorum_bp <= 10_000:
            raise AdArtError("rat_quorum_bp", "Kuorum RAT harus antara 0,01% dan 100%.")
        for name in ("rat_month_from", "rat_month_to"):
            if not 1 <= getattr(self, name) <= 12:
                raise AdArtError(name, "Bulan harus antara 1 dan 12.")
        if self.rat_month_from > self.rat_month_to:
            raise AdArtError("rat_month_to", "Bulan akhir RAT tidak boleh sebelum bulan awal.")
        self._check_loan_risk()

    def _check_loan_risk(self) -> None:
        """Kolektibilitas buckets rise strictly; PPAP rates are 0-100% and never fall
        for a worse class (a worse loan never needs a smaller provision)."""
        previous: tuple[str, int] | None = None
        for name in KOL_DAY_FIELDS:
            value = getattr(self, name)
            label = _KOL_NAMES[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise AdArtError(
                    name, f"Batas hari kolektibilitas {label} harus bilangan bulat hari."
                )
            if not 0 <= value <= MAX_KOL_DAYS:
                raise AdArtError(
                    name,
                    f"Batas hari kolektibilitas {label} harus antara 0 dan {MAX_KOL_DAYS} hari.",
                )
            if previous is not None and value <= previous[1]:
                raise AdArtError(
                    name,
                    f"Batas hari {label} ({value}) harus lebih besar dari batas "
                    f"{_KOL_NAMES[previous[0]]} ({previous[1]}): batas kolektibilitas "
                    "harus naik berurutan.",
                )
            previous = (name, value)
        previous = None
        for name in PPAP_RATE_FIELDS:
            value = getattr(self, name)
            label = _PPAP_NAMES[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise AdArtError(name, f"Tarif PPAP {label} harus bilangan bulat basis poin.")
            if not 0 <= value <= 10_000:
                raise AdArtError(name, f"Tarif PPAP {label} harus antara 0% dan 100%.")
            if previous is not None and value < previous[1]:
                raise AdArtError(
                    name,
                    f"Tarif PPAP {label} tidak boleh lebih kecil dari tarif "
                    f"{_PPAP_NAMES[previous[0]]}: pinjaman yang lebih buruk butuh "
                    "cadangan yang sama atau lebih besar.",
                )
            previous = (name, value)
        for name in COLLATERAL_FACTOR_FIELDS:
            value = getattr(self, name)
            label = _AGUNAN_NAMES[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
                raise AdArtError(name, f"Faktor {label} harus antara 0% dan 100%.")
        value = self.write_off_min_kolektibilitas
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value not in WRITE_OFF_MIN_CLASSES
        ):
            raise AdArtError(
                "write_off_min_kolektibilitas",
                "Hapus buku paling awal untuk pinjaman kurang lancar (3), diragukan (4) "
                "atau macet (5).",
            )

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
