"""Forms: they only carry input to the services, which validate the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopdes.members.choices import EXIT_STATUSES, MemberStatus, Sex
from kopdes.platform.core.dates import DateField
from kopdes.platform.core.forms import KopdesForm
from kopdes.platform.tenancy.villages import VillageField


class RegistrationForm(KopdesForm):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    nik = forms.CharField(label=_("NIK (16 digits on the KTP)"), max_length=40)
    kk_number = forms.CharField(label=_("Family card (KK) number"), max_length=40)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=80)
    birth_date = DateField(label=_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    address = forms.CharField(label=_("Address (street, RT/RW)"), max_length=300)
    region_code = VillageField(
        label=_("Village (desa/kelurahan)"),
        required=False,
        help_text=_(
            'Type the name of the village, e.g. "Sukamaju, Megamendung", and choose it from '
            "the list. Empty: the koperasi's own village."
        ),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=80, required=False)
    heir1_name = forms.CharField(label=_("Heir 1: name"), max_length=120, required=False)
    heir1_relation = forms.CharField(label=_("Heir 1: relation"), max_length=40, required=False)
    heir1_share = forms.CharField(label=_("Heir 1: share (%)"), max_length=3, required=False)
    heir2_name = forms.CharField(label=_("Heir 2: name"), max_length=120, required=False)
    heir2_relation = forms.CharField(label=_("Heir 2: relation"), max_length=40, required=False)
    heir2_share = forms.CharField(label=_("Heir 2: share (%)"), max_length=3, required=False)
    ktp_photo = forms.FileField(
        label=_("Photo of the KTP (JPEG/PNG, at most 2 MB)"), required=False
    )
    consent = forms.BooleanField(
        label=_("The member has read and signed the personal data notice."), required=True
    )

    def registration_data(self) -> dict:
        d = self.cleaned_data
        return {
            **{k: d.get(k) for k in (
                "full_name", "nik", "kk_number", "birth_place", "birth_date", "sex", "address",
                "region_code", "phone", "occupation",
            )},
            "heirs": [
                {"name": d.get(f"heir{i}_name"), "relation": d.get(f"heir{i}_relation"),
                 "share_percent": d.get(f"heir{i}_share")}
                for i in (1, 2)
            ],
        }  # fmt: skip


class RevealForm(KopdesForm):
    field = forms.ChoiceField(
        label=_("Data"),
        choices=[
            ("nik", _("NIK")),
            ("kk_number", _("KK number")),
            ("phone", _("Phone")),
            ("address", _("Address")),
            ("birth_date", _("Date of birth")),
        ],
    )
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=300)


class ExitForm(KopdesForm):
    to_status = forms.ChoiceField(
        label=_("How does the member leave?"),
        choices=[(s.value, s.label) for s in MemberStatus if s in EXIT_STATUSES],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    effective_on = DateField(label=_("Date"))


class CorrectionForm(KopdesForm):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    kk_number = forms.CharField(label=_("Family card (KK) number"), max_length=40)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=80, required=False)
    address = forms.CharField(label=_("Address (street, RT/RW)"), max_length=300)
    region_code = VillageField(label=_("Village (desa/kelurahan)"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=80, required=False)


class DataRequestForm(KopdesForm):
    kind = forms.ChoiceField(
        label=_("The member asks for"),
        choices=[("access", _("A copy of all their data")), ("correction", _("A correction"))],
    )
    detail = forms.CharField(label=_("Details"), max_length=1000, required=False)


class CardLookupForm(KopdesForm):
    payload = forms.CharField(label=_("Scan the card or type its code"), max_length=200)


class ImportForm(KopdesForm):
    file = forms.FileField(label=_("Filled-in member template (.xlsx)"))


class PortalLoginForm(KopdesForm):
    slug = forms.SlugField(label=_("Koperasi code (as in the web address)"), max_length=50)
    number = forms.CharField(label=_("Member number"), max_length=10)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PortalActivateForm(KopdesForm):
    slug = forms.SlugField(label=_("Koperasi code (as in the web address)"), max_length=50)
    number = forms.CharField(label=_("Member number"), max_length=10)
    code = forms.CharField(label=_("Activation code from the kasir"), max_length=12)
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class PortalCorrectionForm(KopdesForm):
    detail = forms.CharField(
        label=_("What is wrong, and what should it be?"), max_length=1000, widget=forms.Textarea
    )
