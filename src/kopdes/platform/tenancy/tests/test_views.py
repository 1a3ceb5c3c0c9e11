import pytest
from django.urls import reverse

from kopdes.domain.adart import DEFAULT_SHU_SPLIT, SHU_POOLS
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.tenancy.forms import _parse_percent, _parse_rupiah

pytestmark = pytest.mark.django_db


def _client(client, role, koperasi):
    return login(client, make_user(role, koperasi))


def test_profile_shows_region_names_and_adart_in_rupiah(client, koperasi):
    response = _client(client, "bendahara", koperasi).get(
        reverse("tenancy:profile", kwargs={"slug": koperasi.slug})
    )
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Sukamaju", "Megamendung", "Kabupaten Bogor", "Jawa Barat"):
        assert name in html
    assert "Rp 50.000" in html and "Rp 10.000" in html
    assert "30%" in html and "2,5%" in html
    assert "Gerai sembako" in html and "Unit simpan pinjam" in html
    # A bendahara may look but not change.
    assert 'data-testid="edit-profile"' not in html


def test_foreign_koperasi_profile_is_404(client, koperasi, other_koperasi):
    c = _client(client, "ketua", koperasi)
    for name in ("tenancy:profile", "tenancy:profile-edit", "tenancy:adart-edit"):
        assert c.get(reverse(name, kwargs={"slug": other_koperasi.slug})).status_code == 404


def test_kasir_may_not_open_edit_pages(client, koperasi):
    c = _client(client, "kasir", koperasi)
    assert c.get(reverse("tenancy:profile-edit", kwargs={"slug": koperasi.slug})).status_code == 403
    assert c.get(reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug})).status_code == 403


def _profile_post(koperasi, **changes):
    data = {
        "name": koperasi.name,
        "badan_hukum_number": koperasi.badan_hukum_number,
        "nik_koperasi": koperasi.nik_koperasi,
        "region_code": koperasi.region_code,
        "address": koperasi.address,
        "business_units": koperasi.business_units,
        "fiscal_year_start_month": "1",
    }
    data.update(changes)
    return data


def test_sekretaris_changes_profile(client, koperasi):
    c = _client(client, "sekretaris", koperasi)
    url = reverse("tenancy:profile-edit", kwargs={"slug": koperasi.slug})
    assert c.get(url).status_code == 200
    response = c.post(
        url, _profile_post(koperasi, address="Jl. Baru No. 9", fiscal_year_start_month="7")
    )
    assert response.status_code == 302
    koperasi.refresh_from_db()
    assert koperasi.address == "Jl. Baru No. 9" and koperasi.fiscal_year_start_month == 7
    event = AuditEvent.objects.get(action="tenancy.koperasi.profile_updated")
    assert event.role == "sekretaris" and event.source_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"region_code": "32.01.26.9999"}, "tidak ada dalam daftar resmi"),
        ({"region_code": "３２.01.26.2001"}, "10 angka"),
        ({"business_units": ["bengkel"]}, "bengkel"),
        ({"nik_koperasi": "abc"}, "angka"),
    ],
)
def test_bad_profile_input_shows_message_and_writes_nothing(client, koperasi, changes, words):
    c = _client(client, "ketua", koperasi)
    before = AuditEvent.objects.count()
    response = c.post(
        reverse("tenancy:profile-edit", kwargs={"slug": koperasi.slug}),
        _profile_post(koperasi, **changes),
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_duplicate_badan_hukum_is_refused_on_the_page(client, koperasi, other_koperasi):
    c = _client(client, "ketua", koperasi)
    response = c.post(
        reverse("tenancy:profile-edit", kwargs={"slug": koperasi.slug}),
        _profile_post(koperasi, badan_hukum_number=other_koperasi.badan_hukum_number),
    )
    assert response.status_code == 200
    assert "sudah terdaftar" in response.content.decode()


def _adart_post(**changes):
    data = {
        "simpanan_pokok_amount": "100.000",
        "simpanan_wajib_amount": "25.000",
        "pokok_wajib_as_equity": "on",
        "withdrawal_approval_threshold": "5.000.000",
        "deposit_approval_threshold": "10.000.000",
        "loan_approval_threshold": "10.000.000",
        "rat_quorum": "50,01",
        "rat_month_from": "1",
        "rat_month_to": "6",
        "kol_lancar_max_days": "0",
        "kol_dpk_max_days": "90",
        "kol_kurang_lancar_max_days": "120",
        "kol_diragukan_max_days": "180",
        "ppap_lancar_bp": "0,5",
        "ppap_dpk_bp": "3",
        "ppap_kurang_lancar_bp": "10",
        "ppap_diragukan_bp": "50",
        "ppap_macet_bp": "100",
        "agunan_tunai_bp": "100",
        "agunan_hak_tanggungan_bp": "80",
        "agunan_fidusia_bp": "50",
        "agunan_kuasa_menjual_bp": "30",
        "write_off_min_kolektibilitas": "5",
    }
    for pool in SHU_POOLS:
        bp = DEFAULT_SHU_SPLIT[pool]
        data[f"shu_{pool}"] = f"{bp // 100}" + (f",{bp % 100:02d}".rstrip("0") if bp % 100 else "")
    data.update(changes)
    return data


def test_ketua_changes_adart(client, koperasi):
    c = _client(client, "ketua", koperasi)
    url = reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug})
    form_page = c.get(url).content.decode()
    assert 'value="50.000"' in form_page and 'value="2,5"' in form_page
    response = c.post(url, _adart_post())
    assert response.status_code == 302, response.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.adart.simpanan_pokok_amount == 100_000_00
    assert koperasi.adart.simpanan_wajib_amount == 25_000_00
    event = AuditEvent.objects.get(action="tenancy.koperasi.adart_updated")
    assert event.summary["changes"]["simpanan_pokok_amount"] == {
        "before": 50_000_00,
        "after": 100_000_00,
    }
    # Unchanged loan-risk settings are not in the audit diff.
    assert not any(k.startswith(("kol_", "ppap_")) for k in event.summary["changes"])


def test_ketua_changes_kolektibilitas_buckets_and_ppap_rates(client, koperasi):
    c = _client(client, "ketua", koperasi)
    url = reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug})
    form_page = c.get(url).content.decode()
    assert 'name="kol_dpk_max_days"' in form_page and 'value="0,5"' in form_page
    response = c.post(
        url, _adart_post(kol_dpk_max_days="60", kol_kurang_lancar_max_days="90", ppap_dpk_bp="2,5")
    )
    assert response.status_code == 302, response.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.adart.kolektibilitas_buckets == (0, 60, 90, 180)
    assert koperasi.adart.ppap_dpk_bp == 250
    event = AuditEvent.objects.get(action="tenancy.koperasi.adart_updated")
    assert event.summary["changes"]["kol_dpk_max_days"] == {"before": 90, "after": 60}
    assert event.summary["changes"]["ppap_dpk_bp"] == {"before": 300, "after": 250}
    profile = c.get(reverse("tenancy:profile", kwargs={"slug": koperasi.slug})).content.decode()
    assert "1-60" in profile and "61-90" in profile and "PPAP 2,5%" in profile


def test_bendahara_may_not_change_the_loan_risk_settings(client, koperasi):
    c = _client(client, "bendahara", koperasi)
    response = c.post(
        reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug}),
        _adart_post(kol_dpk_max_days="60"),
    )
    assert response.status_code in (403, 404)
    koperasi.refresh_from_db()
    assert koperasi.adart_settings == {"backdate_approval_days": 3650}  # make_koperasi's


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"shu_cadangan": "31"}, "100%"),
        ({"simpanan_pokok_amount": "50,000"}, "titik"),
        ({"simpanan_pokok_amount": "50.000,50"}, "titik"),
        ({"simpanan_pokok_amount": "-50.000"}, "tidak boleh negatif"),
        ({"simpanan_pokok_amount": "５０.000"}, "titik"),
        ({"simpanan_wajib_amount": "0"}, "lebih dari nol"),
        ({"rat_quorum": "abc"}, "persentase"),
        ({"rat_month_from": "9", "rat_month_to": "3"}, "Bulan akhir RAT"),
        ({"kol_dpk_max_days": "130"}, "harus naik berurutan"),
        ({"kol_kurang_lancar_max_days": "90"}, "harus naik berurutan"),
        ({"kol_dpk_max_days": "-5"}, "jumlah hari"),
        ({"kol_dpk_max_days": "9,5"}, "jumlah hari"),
        ({"kol_dpk_max_days": "٩٠"}, "jumlah hari"),
        ({"kol_diragukan_max_days": "99999"}, "antara 0 dan 3650"),
        ({"kol_diragukan_max_days": ""}, "wajib"),
        ({"ppap_macet_bp": "101"}, "lebih dari 100"),
        ({"ppap_lancar_bp": "-1"}, "persentase"),
        ({"ppap_lancar_bp": "0,001"}, "persentase"),
        ({"ppap_diragukan_bp": "5"}, "tidak boleh lebih kecil"),
    ],
)
def test_bad_adart_input_shows_message_and_writes_nothing(client, koperasi, changes, words):
    c = _client(client, "ketua", koperasi)
    response = c.post(
        reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug}), _adart_post(**changes)
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.adart_settings == {"backdate_approval_days": 3650}  # make_koperasi's
    assert not AuditEvent.objects.filter(action="tenancy.koperasi.adart_updated").exists()


@pytest.mark.parametrize(
    ("text", "sen"),
    [
        ("50.000", 5_000_000),
        ("50000", 5_000_000),
        ("Rp 1.234.567", 123_456_700),
        ("Rp. 50.000", 5_000_000),
        ("rp50.000", 5_000_000),
        (" 1 ", 100),
        ("1", 100),
    ],
)
def test_rupiah_text_is_parsed_to_sen(text, sen):
    assert _parse_rupiah(text) == sen


@pytest.mark.parametrize(
    "text",
    ["50,000", "5.00", "50.0000", "1e6", "50 000", "", "-1", "１", "0", "1,5 juta", "50.000,50"],
)
def test_odd_rupiah_text_is_refused(text):
    from django import forms

    with pytest.raises(forms.ValidationError):
        _parse_rupiah(text)


def test_rupiah_text_is_read_by_the_one_money_parser():
    """The AD/ART form reads amounts with ``domain.money.parse_rupiah``: the same words
    refuse the same input as on the teller's forms, in Indonesian."""
    from django import forms

    from kopdes.domain.money import MoneyError, parse_rupiah

    for text in ["0", "-1", "１", "99.999.999.999.999.999"]:
        with pytest.raises(MoneyError) as domain_error:
            parse_rupiah(text, allow_zero=False)
        with pytest.raises(forms.ValidationError) as form_error:
            _parse_rupiah(text)
        assert form_error.value.messages == [domain_error.value.message]
    with pytest.raises(forms.ValidationError) as sen_error:
        _parse_rupiah("50.000,50")
    assert "50.000" in sen_error.value.messages[0]


@pytest.mark.parametrize(
    ("text", "bp"), [("30", 3000), ("2,5", 250), ("2.5", 250), ("0,01", 1), ("100", 10000)]
)
def test_percent_text_is_parsed_to_basis_points(text, bp):
    assert _parse_percent(text) == bp


def test_profile_page_runs_a_bounded_number_of_queries(
    client, koperasi, django_assert_max_num_queries
):
    c = _client(client, "ketua", koperasi)
    url = reverse("tenancy:profile", kwargs={"slug": koperasi.slug})
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200


def test_profile_page_in_english(client, koperasi):
    c = _client(client, "ketua", koperasi)
    c.cookies["kopdes_lang"] = "en"
    html = c.get(reverse("tenancy:profile", kwargs={"slug": koperasi.slug})).content.decode()
    assert "Division of SHU (surplus)" in html and "Rp 50.000" in html


def test_ketua_changes_collateral_factors_and_the_write_off_class(client, koperasi):
    c = _client(client, "ketua", koperasi)
    url = reverse("tenancy:adart-edit", kwargs={"slug": koperasi.slug})
    form_page = c.get(url).content.decode()
    assert 'name="agunan_hak_tanggungan_bp"' in form_page and 'value="80"' in form_page
    assert 'name="write_off_min_kolektibilitas"' in form_page
    response = c.post(
        url, _adart_post(agunan_hak_tanggungan_bp="60", write_off_min_kolektibilitas="4")
    )
    assert response.status_code == 302, response.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.adart.agunan_hak_tanggungan_bp == 6_000
    assert koperasi.adart.write_off_min_kolektibilitas == 4
    profile = c.get(reverse("tenancy:profile", kwargs={"slug": koperasi.slug})).content.decode()
    assert 'data-testid="collateral-factors"' in profile and "60%" in profile
    bad = c.post(url, _adart_post(agunan_fidusia_bp="120"))
    assert bad.status_code == 200 and "100" in bad.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.adart.agunan_fidusia_bp == 5_000
