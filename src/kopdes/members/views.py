"""Officer pages of the member register. Thin: parse, call one service/selector, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopdes.members import cards, onboarding, selectors, services
from kopdes.members.choices import EXIT_STATUSES, MemberStatus
from kopdes.members.forms import (
    CardLookupForm,
    CorrectionForm,
    DataRequestForm,
    ExitForm,
    ImportForm,
    RegistrationForm,
    RevealForm,
)
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.errors import DomainError
from kopdes.platform.documents.pdf import pdf_response, safe_filename
from kopdes.platform.documents.xlsx import xlsx_response
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.privacy import services as privacy
from kopdes.platform.privacy.choices import DataRequestKind, DataRequestStatus
from kopdes.platform.tenancy.access import koperasi_view


def _address(request) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


def _may(request, code: str) -> bool:
    return has_perm(request.roles, code)


def _form_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or [(exc.field, exc.message)]
    for field, message in errors:
        form.add_error(field if field in form.fields else None, message)


@koperasi_view("members.view")
def member_list(request):
    query = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    page = Paginator(
        selectors.list_members(request.koperasi, query=query, status=status), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_list.html",
        {
            "koperasi": request.koperasi,
            "page": page,
            "rows": [(m, selectors.masked_view(m)) for m in page],
            "query": query,
            "status": status,
            "statuses": MemberStatus.choices,
            "may_register": _may(request, "members.register"),
            "may_import": _may(request, "members.import"),
            "open_exits": selectors.list_open_exits(request.koperasi),
            "may_approve": _may(request, "members.approve_exit"),
            "retention_due": (
                selectors.list_retention_due(request.koperasi, today=timezone.localdate())[:50]
                if _may(request, "members.anonymise")
                else []
            ),
        },
    )


@koperasi_view("members.register")
def member_register(request):
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("ktp_photo")
        photo = None
        if upload is not None:
            if upload.size > services.MAX_PHOTO_BYTES:
                form.add_error("ktp_photo", _("The KTP photo is too large (at most 2 MB)."))
            else:
                photo = upload.read()
        if not form.errors:
            try:
                member = services.register_member(
                    request.koperasi,
                    actor=request.user,
                    data=form.registration_data(),
                    registered_on=timezone.localdate(),
                    ktp_photo=photo,
                    source_address=_address(request),
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Member %(number)s registered as a candidate.") % {"number": member.number},
                )
                return redirect(
                    "members:member-detail", slug=request.koperasi.slug, member_id=member.pk
                )
    return render(
        request, "members/member_register.html", {"koperasi": request.koperasi, "form": form}
    )


def _detail_context(request, member, **extra):
    return {
        "koperasi": request.koperasi,
        "member": member,
        "masked": selectors.masked_view(member),
        "heirs": member.heirs.all(),
        "reveal_form": RevealForm(),
        "request_form": DataRequestForm(),
        "exit_form": ExitForm(),
        "may_reveal": _may(request, "privacy.reveal"),
        "may_edit": _may(request, "members.edit"),
        "may_exit": _may(request, "members.propose_exit"),
        "may_decide_exit": _may(request, "members.approve_exit"),
        "may_card": _may(request, "members.print_card"),
        "may_code": _may(request, "members.issue_portal_code"),
        "may_export": _may(request, "privacy.manage_requests"),
        "may_anonymise": _may(request, "members.anonymise"),
        "exits": member.exit_proposals.select_related("proposed_by", "decided_by"),
        "requests": selectors.list_member_requests(member),
        "settlement": _settlement(member),
        "settled": (
            selectors.exit_settlement_made(member) if member.status in EXIT_STATUSES else None
        ),
        "may_savings": _may(request, "savings.view"),
        "may_loans": _may(request, "loans.view"),
        "money": selectors.savings_and_loans(
            member, savings=_may(request, "savings.view"), loans=_may(request, "loans.view")
        ),
        **extra,
    }


def _settlement(member):
    """What approving the member's open exit would pay out (None when none is open)."""
    proposal = member.exit_proposals.filter(state=ProposalState.PENDING).first()
    if proposal is None:
        return None
    return selectors.exit_settlement_preview(member, date=proposal.effective_on)


@koperasi_view("members.view")
def member_detail(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    return render(request, "members/member_detail.html", _detail_context(request, member))


@require_POST
@koperasi_view("privacy.reveal")
def member_reveal(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            value = privacy.reveal(
                member,
                form.cleaned_data["field"],
                actor=request.user,
                koperasi=request.koperasi,
                reason=form.cleaned_data["reason"],
                source_address=_address(request),
            )
            revealed = (dict(form.fields["field"].choices)[form.cleaned_data["field"]], value)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "members/member_detail.html",
        _detail_context(request, member, revealed=revealed, reveal_form=form),
    )


@koperasi_view("privacy.reveal")
def member_ktp(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    try:
        content, mime = services.read_ktp_photo(
            member, actor=request.user, koperasi=request.koperasi, source_address=_address(request)
        )
    except services.NotFoundError:
        from django.http import Http404

        raise Http404 from None
    response = HttpResponse(content, content_type=mime)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@koperasi_view("members.print_card")
def member_card(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    response = HttpResponse(cards.card_pdf(member), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{safe_filename("kartu-anggota-" + member.number + ".pdf")}"'
    )
    return response


@koperasi_view("members.propose_exit")
def member_exit(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_exit(
                member,
                actor=request.user,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
                at=timezone.now(),
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Exit proposed. Another officer (the ketua) must approve it.")
            )
            return redirect(
                "members:member-detail", slug=request.koperasi.slug, member_id=member.pk
            )
    return render(
        request,
        "members/member_exit.html",
        {"koperasi": request.koperasi, "member": member, "form": form},
    )


@require_POST
@koperasi_view("members.issue_portal_code")
def member_portal_code(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    try:
        code = services.issue_portal_code(
            member, actor=request.user, at=timezone.now(), source_address=_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("members:member-detail", slug=request.koperasi.slug, member_id=member.pk)
    response = render(
        request,
        "members/portal_code.html",
        {"koperasi": request.koperasi, "member": member, "code": code},
    )
    response["Cache-Control"] = "no-store"
    return response


@koperasi_view("privacy.manage_requests")
def member_export(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    data_request = None
    if request_id := request.GET.get("request"):
        data_request = selectors.get_member_request(member, request_id)
    data = services.export_member_data(
        member,
        actor=request.user,
        koperasi=request.koperasi,
        at=timezone.now(),
        request=data_request,
    )
    return export_response(request, member, data, request.GET.get("format", "json"))


def export_response(request, member, data: dict, fmt: str) -> HttpResponse:
    name = f"data-anggota-{member.number}"
    if fmt == "pdf":
        return pdf_response(
            "members/export_pdf.html",
            {"koperasi": member.koperasi, "member": member, "data": data,
             "title": _("Personal data held about member %(n)s") % {"n": member.number}},
            f"{name}.pdf",
        )  # fmt: skip
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(name + ".json")}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@koperasi_view("privacy.manage_requests")
def member_request(request, member_id):
    """Record a member's access or correction request made at the desk (due in 72 h)."""
    member = selectors.get_member(request.koperasi, member_id)
    form = DataRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_data(
                member,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                detail=form.cleaned_data["detail"],
                at=timezone.now(),
            )
            messages.success(
                request, _("Request recorded; it must be answered within 3 x 24 hours.")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please choose the kind of request."))
    return redirect("members:member-detail", slug=request.koperasi.slug, member_id=member.pk)


@koperasi_view("members.edit")
def member_correct(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    open_requests = selectors.list_member_requests(member).filter(
        kind=DataRequestKind.CORRECTION, status=DataRequestStatus.OPEN
    )
    initial = {k: getattr(member, k) for k in services.CORRECTABLE}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {
            k: v for k, v in form.cleaned_data.items() if (v or "") != (initial.get(k) or "")
        }
        data_request = None
        if request_id := request.POST.get("request"):
            data_request = selectors.get_member_request(member, request_id)
        try:
            services.correct_member(
                member,
                actor=request.user,
                changes=changes,
                at=timezone.now(),
                request=data_request,
                source_address=_address(request),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The member's data was corrected."))
            return redirect(
                "members:member-detail", slug=request.koperasi.slug, member_id=member.pk
            )
    return render(
        request,
        "members/member_correct.html",
        {
            "koperasi": request.koperasi,
            "member": member,
            "form": form,
            "open_requests": open_requests,
        },
    )


@require_POST
@koperasi_view("members.anonymise")
def member_anonymise(request, member_id):
    member = selectors.get_member(request.koperasi, member_id)
    try:
        services.anonymise_member(
            member, actor=request.user, at=timezone.now(), source_address=_address(request)
        )
        messages.success(
            request, _("The member's personal data was anonymised; the books are kept.")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("members:member-detail", slug=request.koperasi.slug, member_id=member.pk)


@koperasi_view("members.view")
def card_lookup(request):
    form = CardLookupForm(request.POST or request.GET or None)
    member = None
    if form.is_bound and form.is_valid():
        try:
            member = services.read_member_card(
                form.cleaned_data["payload"], koperasi=request.koperasi
            )
        except DomainError as exc:
            form.add_error("payload", exc.message)
    return render(
        request,
        "members/card_lookup.html",
        {
            "koperasi": request.koperasi,
            "form": form,
            "member": member,
            "masked": selectors.masked_view(member) if member else None,
        },
    )


@koperasi_view("members.import")
def member_import_template(request):
    return xlsx_response(onboarding.template_workbook(request.koperasi), "templat-anggota.xlsx")


@koperasi_view("members.import")
def member_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > onboarding.MAX_BYTES:
                raise services.ImportErrors(
                    errors=[(0, "file", _("The file is too large (at most 5 MB)."))]
                )
            rows = onboarding.read_rows(upload.read())
            members = services.register_members(
                request.koperasi,
                actor=request.user,
                rows=rows,
                registered_on=timezone.localdate(),
                source_address=_address(request),
            )
        except services.ImportErrors as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(n)d members registered.") % {"n": len(members)})
            return redirect("members:member-list", slug=request.koperasi.slug)
    return render(
        request,
        "members/member_import.html",
        {"koperasi": request.koperasi, "form": form, "errors": errors},
    )
