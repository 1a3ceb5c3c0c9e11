"""The chart accounts the statement of SHU needs, for koperasi whose chart is installed.

New template accounts (chart.py): 4-9000 pendapatan lain-lain, 5-1200 HPP non-anggota
(one child per business unit, like 5-1100), 5-9000 beban lain-lain and 5-9100 beban pajak
penghasilan. 5-1100 (and its unit children) is renamed "... - anggota" where an officer
has not renamed it, and 4-2000 pendapatan simpan pinjam counts as member participation
(savings and loans are for members only). The lists are frozen here, so a later change
of the template does not change what this migration did.
"""

from django.db import migrations

UNIT_DIGITS = {
    "sembako": 1,
    "apotek": 2,
    "klinik": 3,
    "simpan_pinjam": 4,
    "pergudangan": 5,
    "logistik": 6,
}
UNIT_NAMES = {
    "sembako": "gerai sembako",
    "apotek": "apotek desa",
    "klinik": "klinik desa",
    "simpan_pinjam": "unit simpan pinjam",
    "pergudangan": "pergudangan",
    "logistik": "logistik",
}
# code, name, type, normal side, per unit
NEW = (
    ("4-9000", "Pendapatan lain-lain", "pendapatan", "C", False),
    ("5-1200", "Harga pokok penjualan (HPP) - non-anggota", "beban", "D", True),
    ("5-9000", "Beban lain-lain", "beban", "D", False),
    ("5-9100", "Beban pajak penghasilan", "beban", "D", False),
)
OLD_COGS = "Harga pokok penjualan (HPP)"
NEW_COGS = "Harga pokok penjualan (HPP) - anggota"


def forwards(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Koperasi = apps.get_model("tenancy", "Koperasi")
    for koperasi in Koperasi.objects.all():
        existing = {a.code: a for a in Account.objects.filter(koperasi=koperasi)}
        if not any(a.is_template for a in existing.values()):
            continue  # no chart yet: setup_koperasi_books installs the whole template
        units = [u for u in UNIT_DIGITS if u in (koperasi.business_units or [])]
        for code, name, kind, side, per_unit in NEW:
            parent = existing.get(code)
            if parent is None:
                parent = Account.objects.create(
                    koperasi=koperasi,
                    code=code,
                    name=name,
                    type=kind,
                    normal_side=side,
                    is_template=True,
                )
                existing[code] = parent
            if not per_unit:
                continue
            for unit in units:
                child = code[:-1] + str(UNIT_DIGITS[unit])
                if child in existing:
                    continue
                existing[child] = Account.objects.create(
                    koperasi=koperasi,
                    code=child,
                    name=f"{name} - {UNIT_NAMES[unit]}",
                    type=kind,
                    normal_side=side,
                    parent=parent,
                    business_unit=unit,
                    is_template=True,
                )
        for account in existing.values():
            if account.code[:5] == "5-110" and account.name.startswith(OLD_COGS):
                rest = account.name[len(OLD_COGS) :]
                if rest == "" or (rest.startswith(" - ") and "anggota" not in rest):
                    account.name = NEW_COGS + rest
                    account.save(update_fields=["name"])
        revenue = existing.get("4-2000")
        if revenue is not None and revenue.is_template and not revenue.is_member_revenue:
            revenue.is_member_revenue = True
            revenue.save(update_fields=["is_member_revenue"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_line_guard_and_tenant_indexes"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
