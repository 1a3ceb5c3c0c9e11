"""Demo members: 300 in sukamaju (Sundanese names, Bogor), 80 in cirahab (Javanese names,
Banyumas), registered through ``services.register_members`` (same validation as the page)
by the demo sekretaris. They stay calon until the savings demo pays their simpanan pokok."""

from __future__ import annotations

import datetime as dt

from kopdes.demo import EXTENSIONS, demo_officer
from kopdes.members import services

REGISTERED_ON = dt.date(2024, 11, 4)
COUNTS = {"sukamaju": 300, "cirahab": 80}

NAMES = {
    # Bogor (Sundanese)
    "32": {
        "L": ("Asep", "Ujang", "Dadang", "Cecep", "Endang", "Entis", "Iwan", "Agus", "Ade",
              "Yayan", "Jajang", "Wawan", "Deden", "Hendra", "Dedi", "Ayi", "Engkos", "Oman",
              "Ruhiyat", "Usep", "Dodi", "Ajat", "Nandang", "Ecep"),
        "P": ("Euis", "Neneng", "Iis", "Enok", "Cucu", "Imas", "Lilis", "Nining", "Siti",
              "Nurhayati", "Rina", "Yeni", "Tati", "Ai", "Eneng", "Popon", "Entin", "Iyah",
              "Oom", "Dewi", "Teti", "Wiwin"),
        "family": ("Suryana", "Sumarna", "Hidayat", "Ruhiyat", "Maryani", "Permana",
                   "Kurniawan", "Setiawan", "Saepudin", "Rohmat", "Sobari", "Mulyana",
                   "Supriatna", "Gunawan", "Nurjaman", "Sukmara"),
        "places": ("Bogor", "Megamendung", "Ciawi", "Cisarua", "Sukabumi", "Cianjur"),
        "streets": ("Kp. Sukamaju", "Kp. Babakan", "Kp. Cibogo", "Kp. Pasir Muncang",
                    "Kp. Cijulang", "Kp. Ciburial"),
        "jobs": ("Petani", "Buruh tani", "Pedagang", "Peternak", "Ibu rumah tangga",
                 "Wiraswasta", "Guru honorer", "Tukang ojek", "Karyawan swasta", "Pengrajin"),
    },
    # Banyumas (Javanese)
    "33": {
        "L": ("Slamet", "Sugeng", "Bambang", "Joko", "Teguh", "Wahyu", "Heru", "Sutrisno",
              "Kasdi", "Darsono", "Rasimin", "Tarno", "Sarno", "Warsito", "Paryono", "Yanto"),
        "P": ("Sri", "Sumiyati", "Suparmi", "Ngatini", "Tumini", "Wartini", "Sukinah",
              "Rasinah", "Tarsih", "Daryati", "Wati", "Endah", "Lestari", "Ratna"),
        "family": ("Wibowo", "Santoso", "Purnomo", "Sugiarto", "Riyanto", "Prasetyo",
                   "Hartono", "Setyawan", "Wahyudi", "Rahayu", "Susilo", "Utomo"),
        "places": ("Banyumas", "Purwokerto", "Lumbir", "Wangon", "Cilacap", "Ajibarang"),
        "streets": ("Grumbul Cirahab", "Grumbul Kalisari", "Grumbul Karanganyar",
                    "Grumbul Sidamulya", "Dusun Krajan"),
        "jobs": ("Petani", "Buruh tani", "Pedagang", "Penderes nira", "Ibu rumah tangga",
                 "Wiraswasta", "Peternak kambing", "Buruh bangunan", "Perajin gula kelapa"),
    },
}  # fmt: skip
RELATIONS = ("istri", "suami", "anak", "orang tua", "saudara kandung")
OPERATORS = ("0812", "0813", "0821", "0852", "0857", "0878", "0895", "0896", "0819", "0838")


def member_rows(koperasi, rng, count: int) -> list[dict]:
    """``count`` plausible registrations in the koperasi's own village."""
    names = NAMES[koperasi.region_code[:2]]
    district = koperasi.region_code.replace(".", "")[:6]
    used: set[str] = set()
    rows = []
    while len(rows) < count:
        sex = rng.choice("LP")
        first = rng.choice(names[sex])
        full_name = f"{first} {rng.choice(names['family'])}"
        birth = dt.date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
        day = birth.day + (40 if sex == "P" else 0)
        nik = (
            f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
        )
        if nik in used:
            continue
        used.add(nik)
        heir_sex = "P" if sex == "L" else "L"
        heir_name = f"{rng.choice(names[heir_sex])} {rng.choice(names['family'])}"
        rows.append(
            {
                "full_name": full_name,
                "nik": nik,
                "kk_number": f"{district}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
                f"{rng.randint(10, 24):02d}{rng.randint(1, 9999):04d}",
                "birth_place": rng.choice(names["places"]),
                "birth_date": birth,
                "sex": sex,
                "address": f"{rng.choice(names['streets'])} RT {rng.randint(1, 8):02d}/RW "
                f"{rng.randint(1, 5):02d}",
                "region_code": koperasi.region_code,
                "phone": f"{rng.choice(OPERATORS)}{rng.randint(1000000, 99999999)}",
                "occupation": rng.choice(names["jobs"]),
                "heirs": [
                    {"name": heir_name, "relation": rng.choice(RELATIONS), "share_percent": 100}
                ],
            }
        )
    return rows


def add_members(koperasi, rng) -> None:
    count = COUNTS.get(koperasi.slug, 50)
    actor = demo_officer(koperasi, "sekretaris")
    services.register_members(
        koperasi, actor=actor, rows=member_rows(koperasi, rng, count), registered_on=REGISTERED_ON
    )


EXTENSIONS.append(add_members)
