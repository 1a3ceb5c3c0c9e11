from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Roles inside one koperasi.
    KETUA = "ketua", _("Ketua")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    BENDAHARA = "bendahara", _("Bendahara")
    PENGAWAS = "pengawas", _("Pengawas")
    MANAJER = "manajer", _("Manajer")
    KASIR = "kasir", _("Kasir")
    PETUGAS_PINJAMAN = "petugas_pinjaman", _("Loan officer (petugas pinjaman)")
    ANGGOTA = "anggota", _("Anggota")
    # Roles across koperasi.
    PENDAMPING = "pendamping", _("Pendamping (trainer)")
    DINAS = "dinas", _("Dinas (regional office)")
    KEMENTERIAN = "kementerian", _("Kementerian (ministry)")
    ADMIN = "admin", _("Admin")


KOPERASI_ROLES = frozenset(
    {
        Role.KETUA,
        Role.SEKRETARIS,
        Role.BENDAHARA,
        Role.PENGAWAS,
        Role.MANAJER,
        Role.KASIR,
        Role.PETUGAS_PINJAMAN,
        Role.ANGGOTA,
    }
)
CROSS_ROLES = frozenset({Role.PENDAMPING, Role.DINAS, Role.KEMENTERIAN, Role.ADMIN})
# Every role but a plain member moves money or reads personal data: TOTP is required.
OFFICER_ROLES = frozenset(set(Role) - {Role.ANGGOTA})
