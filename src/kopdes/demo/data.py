"""The fixed facts of the demo: the two koperasi and the names people there carry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoKoperasi:
    slug: str
    name: str
    region_code: str
    badan_hukum_number: str
    nik_koperasi: str
    address: str
    business_units: tuple[str, ...]
    # Where people's names come from: Sundanese in Bogor, Javanese in Banyumas.
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    fiscal_year_start_month: int = 1


SUKAMAJU = DemoKoperasi(
    slug="sukamaju",
    name="Koperasi Desa Merah Putih Sukamaju",
    region_code="32.01.26.2001",
    badan_hukum_number="AHU-0004217.AH.01.29.TAHUN 2025",
    nik_koperasi="3201260012025",
    address=(
        "Jl. Raya Puncak Km. 78 No. 12, Desa Sukamaju, Kecamatan Megamendung, "
        "Kabupaten Bogor, Jawa Barat 16770"
    ),
    business_units=("kantor", "sembako", "apotek", "simpan_pinjam", "pergudangan"),
    given_names=(
        "Asep",
        "Ujang",
        "Dadang",
        "Cecep",
        "Endang",
        "Entis",
        "Iwan",
        "Agus",
        "Ade",
        "Dede",
        "Yayan",
        "Jajang",
        "Euis",
        "Neneng",
        "Iis",
        "Enok",
        "Cucu",
        "Imas",
        "Lilis",
        "Nining",
        "Siti",
        "Nurhayati",
        "Rina",
        "Yeni",
        "Tati",
        "Ai",
        "Eneng",
        "Wawan",
        "Deden",
        "Hendra",
    ),
    family_names=(
        "Suryana",
        "Sumarna",
        "Hidayat",
        "Ruhiyat",
        "Sopandi",
        "Permana",
        "Kurniawan",
        "Setiawan",
        "Nurjaman",
        "Saepudin",
        "Mulyana",
        "Rahmat",
        "Komarudin",
        "Hermawan",
        "Kusnadi",
        "Suherman",
        "Gunawan",
        "Sutisna",
        "Rustandi",
        "Maryani",
    ),
)

CIRAHAB = DemoKoperasi(
    slug="cirahab",
    name="Koperasi Desa Merah Putih Cirahab",
    region_code="33.02.01.2001",
    badan_hukum_number="AHU-0007391.AH.01.29.TAHUN 2025",
    nik_koperasi="3302010012025",
    address=(
        "Jl. Raya Lumbir - Wangon No. 5, Desa Cirahab, Kecamatan Lumbir, "
        "Kabupaten Banyumas, Jawa Tengah 53177"
    ),
    business_units=("kantor", "sembako", "klinik", "simpan_pinjam", "logistik"),
    given_names=(
        "Slamet",
        "Sugeng",
        "Sutrisno",
        "Bambang",
        "Joko",
        "Wahyudi",
        "Supriyadi",
        "Rahmat",
        "Darsono",
        "Wartono",
        "Karsim",
        "Tarno",
        "Sri",
        "Sumiyati",
        "Suparti",
        "Tumini",
        "Wartini",
        "Sukini",
        "Darsih",
        "Kasini",
        "Endah",
        "Retno",
        "Wulan",
        "Yuni",
        "Dwi",
        "Tri",
        "Eko",
        "Budi",
        "Puji",
        "Ratna",
    ),
    family_names=(
        "Wibowo",
        "Santoso",
        "Prasetyo",
        "Susanto",
        "Haryanto",
        "Nugroho",
        "Purnomo",
        "Sulistyo",
        "Rahayu",
        "Lestari",
        "Wahyuni",
        "Setyowati",
        "Kusumo",
        "Saputro",
        "Utomo",
        "Hartono",
        "Sarwono",
        "Widodo",
        "Riyanto",
        "Sutarno",
    ),
)

KOPERASI = (SUKAMAJU, CIRAHAB)

# Across koperasi: (username, role, region prefix, full name).
CROSS_OFFICERS = (
    ("pendamping.jabar", "pendamping", "32", "Rani Kusumawardhani"),
    ("dinas.bogor", "dinas", "32.01", "Drs. Hendra Gunawan"),
    ("kementerian", "kementerian", "", "Ir. Dewi Anggraini, M.Si."),
    ("admin", "admin", "", "Admin kopdes"),
)
