import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kopdes.members import selectors, services
from kopdes.members.models import Member
from kopdes.members.testing import make_member, registration_data
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_user

pytestmark = pytest.mark.django_db
NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _form(koperasi, **overrides):
    data = registration_data(koperasi, **overrides)
    heirs = data.pop("heirs")
    data["birth_date"] = data["birth_date"].isoformat()
    data.update(heir1_name=heirs[0]["name"], heir1_relation=heirs[0]["relation"],
                heir1_share=heirs[0]["share_percent"], consent="on")  # fmt: skip
    return data


def _png(size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def test_register_page_registers_a_member(client, koperasi):
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    response = client.post(url, _form(koperasi, serial=3))
    assert response.status_code == 302
    assert Member.objects.filter(koperasi=koperasi).count() == 1


def test_register_page_stores_ktp_photo_encrypted_and_serves_it_audited(
    client, koperasi, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, make_user("sekretaris", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    photo = _png()
    data = _form(koperasi, serial=4)
    data["ktp_photo"] = io.BytesIO(photo)
    data["ktp_photo"].name = "ktp.png"
    assert client.post(url, data).status_code == 302
    member = Member.objects.get(koperasi=koperasi)
    stored = (tmp_path / member.ktp_photo).read_bytes()
    assert photo not in stored and stored.startswith(b"v1:")
    ktp = reverse("members:member-ktp", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    response = client.get(ktp)
    assert response.status_code == 200 and response.content == photo
    assert AuditEvent.objects.filter(action="members.ktp_photo.viewed").count() == 1
    kasir_client = login(type(client)(), make_user("kasir", koperasi))
    assert kasir_client.get(ktp).status_code == 403


BAD_NIKS = {
    "short": "320126120585001",
    "letters": "32012612058500AB",
    "province": "9901261205850001",
    "impossible_date": "3201263213850001",
    "full_width": "３２０１２６１２０５８５０００１",
}


@pytest.mark.parametrize("nik", list(BAD_NIKS.values()), ids=list(BAD_NIKS))
def test_register_refuses_invalid_nik_with_a_message_and_writes_nothing(client, koperasi, nik):
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    events = AuditEvent.objects.count()
    response = client.post(url, _form(koperasi, nik=nik))
    assert response.status_code == 200
    assert "NIK" in response.content.decode()
    assert Member.objects.count() == 0 and AuditEvent.objects.count() == events


def test_register_refuses_nik_that_disagrees_with_sex_and_birth_date(client, koperasi):
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    data = _form(koperasi, serial=5, sex="P")
    data["sex"] = "L"
    response = client.post(url, data)
    assert "jenis kelamin" in response.content.decode()
    data = _form(koperasi, serial=5)
    data["birth_date"] = "1950-01-01"
    response = client.post(url, data)
    assert "Tanggal lahir" in response.content.decode()
    assert Member.objects.count() == 0


@pytest.mark.parametrize("phone", ["+1 202 555 0100", "0812", "08abc1234567"])
def test_register_refuses_a_phone_that_is_not_indonesian(client, koperasi, phone):
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    response = client.post(url, _form(koperasi, phone=phone))
    assert response.status_code == 200 and Member.objects.count() == 0


@pytest.mark.parametrize("content", [b"%PDF-1.4 not an image", b"\x89PNG\r\n\x1a\n broken"])
def test_register_refuses_a_non_image_upload(client, koperasi, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    data = _form(koperasi)
    data["ktp_photo"] = io.BytesIO(content)
    data["ktp_photo"].name = "ktp.jpg"
    response = client.post(url, data)
    assert "KTP" in response.content.decode()
    assert Member.objects.count() == 0 and not list(tmp_path.rglob("*.enc"))


def test_register_refuses_an_oversized_upload(client, koperasi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(services.MemberError):
        services.check_ktp_photo(b"\xff" * (services.MAX_PHOTO_BYTES + 1))
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    data = _form(koperasi)
    big = io.BytesIO(_png() + b"\0" * (services.MAX_PHOTO_BYTES + 1))
    big.name = "ktp.png"
    data["ktp_photo"] = big
    html = client.post(url, data).content.decode()
    assert "terlalu besar" in html
    assert Member.objects.count() == 0 and not list(tmp_path.rglob("*.enc"))


def test_duplicate_nik_in_same_koperasi_refused_on_the_page(client, koperasi):
    make_member(koperasi, serial=9)
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-register", kwargs={"slug": koperasi.slug})
    response = client.post(url, _form(koperasi, serial=9))
    assert "sudah terdaftar" in response.content.decode()
    assert Member.objects.count() == 1


def test_foreign_member_id_gives_404(client, koperasi, other_koperasi):
    foreign = make_member(other_koperasi)
    login(client, make_user("ketua", koperasi))
    for name in ("member-detail", "member-correct", "member-exit", "member-export"):
        url = reverse(f"members:{name}", kwargs={"slug": koperasi.slug, "member_id": foreign.pk})
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["kasir", "bendahara", "pengawas", "manajer", "petugas_pinjaman"])
def test_pages_never_show_a_full_nik_or_phone_to_roles_without_reveal(client, koperasi, role):
    member = make_member(koperasi, serial=31)
    login(client, make_user(role, koperasi))
    pages = [
        reverse("members:member-list", kwargs={"slug": koperasi.slug}),
        reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert member.nik not in html and not NIK_RE.search(html)
        assert member.phone not in html and member.phone[3:] not in html
        assert member.address not in html


def test_reveal_shows_the_value_and_is_audited(client, koperasi):
    member = make_member(koperasi, serial=32)
    login(client, make_user("sekretaris", koperasi))
    url = reverse("members:member-reveal", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    response = client.post(url, {"field": "nik", "reason": "Cek KTP asli"})
    assert member.nik in response.content.decode()
    event = AuditEvent.objects.get(action="privacy.field.revealed")
    assert event.summary["field"] == "nik" and member.nik not in str(event.summary)


def test_card_lookup_page_finds_the_member_and_refuses_a_tampered_payload(client, koperasi):
    member = make_member(koperasi)
    login(client, make_user("kasir", koperasi))
    url = reverse("members:card-lookup", kwargs={"slug": koperasi.slug})
    payload = services.member_card_payload(member)
    assert member.full_name in client.post(url, {"payload": payload}).content.decode()
    bad = client.post(url, {"payload": payload[:-2] + "AA"}).content.decode()
    assert "tanda tangan" in bad.lower() or "palsu" in bad


def test_member_card_is_a_pdf(client, koperasi):
    member = make_member(koperasi)
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-card", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def _decide_url(koperasi, proposal, decision: str) -> str:
    return reverse(
        f"approvals:{decision}",
        kwargs={
            "slug": koperasi.slug,
            "approval_kind": "members-exit",
            "approval_item_id": proposal.pk,
        },
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_exit_page_flow_maker_cannot_approve(client, koperasi):
    member = make_member(koperasi)
    ketua = make_user("ketua", koperasi)
    login(client, ketua)
    url = reverse("members:member-exit", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    client.post(url, {"to_status": "berhenti", "reason": "Pindah", "effective_on": "2026-03-01"})
    proposal = member.exit_proposals.get()
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    refused = client.post(_decide_url(koperasi, proposal, "approve"), {"next": page}, follow=True)
    assert refused.redirect_chain[-1][0] == page
    assert _messages(refused)[-1] == (
        "Pengurus yang mengusulkan tidak boleh menyetujui atau menolaknya sendiri; "
        "harus pengurus lain."
    )
    member.refresh_from_db()
    assert member.status == "calon"
    login(client, make_user("ketua", koperasi))
    client.post(_decide_url(koperasi, proposal, "approve"), {"next": page})
    member.refresh_from_db()
    assert member.status == "berhenti"


def test_approving_an_exit_from_the_member_page_returns_to_it(client, koperasi):
    member = make_member(koperasi)
    proposal = services.propose_exit(
        member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah domisili", effective_on=dt.date(2026, 3, 1), at=timezone.now(),
    )  # fmt: skip
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    ketua = make_user("ketua", koperasi)
    login(client, ketua)
    html = client.get(page).content.decode()
    # The one decide pair (the inbox's view) with the page to come back to.
    assert f'action="{_decide_url(koperasi, proposal, "approve")}"' in html
    assert f'action="{_decide_url(koperasi, proposal, "reject")}"' in html
    assert f'name="next" value="{page}"' in html
    response = client.post(_decide_url(koperasi, proposal, "approve"), {"next": page}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert _messages(response) == ["Disetujui: Anggota keluar."]
    proposal.refresh_from_db()
    member.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by_id == ketua.pk
    assert member.status == "berhenti" and member.exit_reason == "Pindah domisili"
    # Decided: the page shows no buttons any more.
    assert 'data-testid="decide"' not in response.content.decode()


def test_rejecting_an_exit_from_the_member_page_keeps_the_note(client, koperasi):
    member = make_member(koperasi)
    proposal = services.propose_exit(
        member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah", effective_on=dt.date(2026, 3, 1), at=timezone.now(),
    )  # fmt: skip
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    login(client, make_user("ketua", koperasi))
    response = client.post(
        _decide_url(koperasi, proposal, "reject"),
        {"next": page, "reason": "Masih punya tanggungan"},
        follow=True,
    )
    assert response.redirect_chain == [(page, 302)]
    assert _messages(response) == ["Ditolak: Anggota keluar. Tidak ada yang berubah."]
    proposal.refresh_from_db()
    member.refresh_from_db()
    assert proposal.state == "rejected" and proposal.decision_note == "Masih punya tanggungan"
    assert member.status == "calon"
    assert "Masih punya tanggungan" in response.content.decode()
    event = AuditEvent.objects.get(action="members.exit.rejected")
    assert event.summary == {"number": member.number, "note": "Masih punya tanggungan"}


def test_only_the_officer_who_decides_exits_sees_the_buttons(client, koperasi):
    member = make_member(koperasi)
    services.propose_exit(
        member, actor=make_user("ketua", koperasi), to_status="berhenti",
        reason="Pindah", effective_on=dt.date(2026, 3, 1), at=timezone.now(),
    )  # fmt: skip
    page = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    login(client, make_user("sekretaris", koperasi))  # may propose exits, not decide them
    html = client.get(page).content.decode()
    assert "Pindah" in html and 'data-testid="decide"' not in html


def test_the_old_exit_decide_route_is_gone(client, koperasi):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("members:exit-decide", kwargs={"slug": koperasi.slug, "exit_id": koperasi.pk})


def _portal_client(client, koperasi, member):
    code = services.issue_portal_code(member, actor=None, at=timezone.now())
    user = services.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )
    client.force_login(user)
    return client


def test_portal_activation_and_login_pages(client, koperasi):
    member = make_member(koperasi)
    code = services.issue_portal_code(member, actor=None, at=timezone.now())
    response = client.post(
        reverse("portal:activate"),
        {
            "slug": koperasi.slug,
            "number": member.number,
            "code": code.lower(),
            "password": "Rahasia-Anggota-77",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("portal:login"),
        {"slug": koperasi.slug, "number": member.number, "password": "Rahasia-Anggota-77"},
    )
    assert response.status_code == 302
    home = client.get(reverse("portal:home", kwargs={"slug": koperasi.slug}))
    assert home.status_code == 200 and member.full_name in home.content.decode()
    assert member.nik not in home.content.decode()


def test_portal_shows_only_own_data_and_other_ids_404(client, koperasi, other_koperasi):
    member = make_member(koperasi)
    other = make_member(koperasi)
    _portal_client(client, koperasi, member)
    html = client.get(reverse("portal:home", kwargs={"slug": koperasi.slug})).content.decode()
    assert other.full_name not in html
    assert (
        client.get(reverse("portal:home", kwargs={"slug": other_koperasi.slug})).status_code == 404
    )
    url = reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": other.pk})
    assert client.get(url).status_code in (403, 404)
    export = client.get(reverse("portal:export", kwargs={"slug": koperasi.slug}) + "?format=json")
    assert export.json()["member"]["number"] == member.number


def test_portal_correction_request_then_officer_applies_it(client, koperasi):
    member = make_member(koperasi)
    _portal_client(client, koperasi, member)
    client.post(
        reverse("portal:correction", kwargs={"slug": koperasi.slug}),
        {"detail": "Alamat pindah ke RT 03"},
    )
    req = member_requests = list(selectors.list_member_requests(member))
    assert len(member_requests) == 1 and req[0].status == "open"
    sek = login(type(client)(), make_user("sekretaris", koperasi))
    url = reverse("members:member-correct", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    data = {k: getattr(member, k) for k in services.CORRECTABLE}
    # An address no builder makes (they use "RT 01".."RT 09"): a correction must change it.
    data.update(address="Jl. Raya Cibinong No. 5", request=str(req[0].pk))
    assert sek.post(url, data).status_code == 302
    member.refresh_from_db()
    req[0].refresh_from_db()
    assert member.address == "Jl. Raya Cibinong No. 5" and req[0].status == "done"
    assert AuditEvent.objects.filter(action="members.member.corrected").count() == 1


def test_import_all_or_nothing_with_every_error_listed(client, koperasi):
    from kopdes.members import onboarding
    from kopdes.platform.documents.xlsx import workbook_bytes

    login(client, make_user("sekretaris", koperasi))
    template = client.get(reverse("members:member-import-template", kwargs={"slug": koperasi.slug}))
    assert template.status_code == 200
    wb = onboarding.template_workbook(koperasi)
    ws = wb[onboarding.SHEET]

    def row(d):
        return [d["full_name"], d["nik"], d["kk_number"], d["birth_place"],
                d["birth_date"].strftime("%d-%m-%Y"), d["sex"], d["address"], "", d["phone"],
                d["occupation"], "", "", ""]  # fmt: skip

    good = [registration_data(koperasi, serial=s) for s in (41, 42)]
    ws.append(row(good[0]))
    ws.append(row(good[1]))
    ws.append(row({**good[0], "full_name": "Dobel"}))  # same NIK as row 2
    ws.append(row({**registration_data(koperasi, serial=43), "phone": "999"}))
    upload = io.BytesIO(workbook_bytes(wb))
    upload.name = "anggota.xlsx"
    url = reverse("members:member-import", kwargs={"slug": koperasi.slug})
    html = client.post(url, {"file": upload}).content.decode()
    assert Member.objects.count() == 0
    # The header is row 1 and the empty row 2 (the frozen pane) is skipped: data from row 3.
    assert "<td>4</td><td>nik</td>" in html and "baris 2" in html and "<td>5</td><td>phone" in html
    wb = onboarding.template_workbook(koperasi)
    for d in good:
        wb[onboarding.SHEET].append(row(d))
    upload = io.BytesIO(workbook_bytes(wb))
    upload.name = "anggota.xlsx"
    assert client.post(url, {"file": upload}).status_code == 302
    assert Member.objects.filter(koperasi=koperasi).count() == 2
    assert AuditEvent.objects.filter(action="members.member.registered").count() == 2


def test_import_refuses_a_file_that_is_not_xlsx(client, koperasi):
    login(client, make_user("sekretaris", koperasi))
    upload = io.BytesIO(b"nama,nik\nBudi,3201")
    upload.name = "anggota.xlsx"
    url = reverse("members:member-import", kwargs={"slug": koperasi.slug})
    html = client.post(url, {"file": upload}).content.decode()
    assert "xlsx" in html and Member.objects.count() == 0


def test_exit_proposal_date_from_service_is_kept(koperasi):
    member = make_member(koperasi)
    ketua = make_user("ketua", koperasi)
    services.propose_exit(member, actor=ketua, to_status="meninggal", reason="Wafat",
                          effective_on=dt.date(2026, 4, 2), at=timezone.now())  # fmt: skip
    assert member.exit_proposals.get().effective_on == dt.date(2026, 4, 2)


def test_officer_records_an_access_request_and_hands_over_the_data(client, koperasi):
    member = make_member(koperasi)
    login(client, make_user("sekretaris", koperasi))
    url = reverse("members:member-request", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    assert client.post(url, {"kind": "access", "detail": "Minta salinan"}).status_code == 302
    req = selectors.list_member_requests(member).get()
    detail = reverse(
        "members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk}
    )
    assert f"request={req.pk}" in client.get(detail).content.decode()
    export = reverse(
        "members:member-export", kwargs={"slug": koperasi.slug, "member_id": member.pk}
    )
    assert client.get(export, {"format": "json", "request": str(req.pk)}).status_code == 200
    req.refresh_from_db()
    assert req.status == "done"


def test_kasir_cannot_record_a_data_request(client, koperasi):
    member = make_member(koperasi)
    login(client, make_user("kasir", koperasi))
    url = reverse("members:member-request", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    assert client.post(url, {"kind": "access"}).status_code == 403
    assert not selectors.list_member_requests(member).exists()


def test_dashboard_tile_counts_members(client, koperasi):
    make_member(koperasi)
    login(client, make_user("kasir", koperasi))
    html = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})).content.decode()
    assert "calon anggota" in html and "anggota aktif" in html
