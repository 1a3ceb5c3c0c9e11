from django.urls import path

from kopdes.platform.identity import views

app_name = "identity"
urlpatterns = [
    path("akun/masuk/", views.LoginView.as_view(), name="login"),
    path("akun/keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/verifikasi/", views.two_factor, name="two-factor"),
    path("akun/kode-pemulihan/", views.recovery_codes, name="recovery-codes"),
    path("akun/undangan/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("k/<slug:slug>/pengurus/", views.officer_list, name="officer-list"),
    path("k/<slug:slug>/pengurus/undang/", views.officer_invite, name="officer-invite"),
    path(
        "k/<slug:slug>/pengurus/<uuid:assignment_id>/cabut/",
        views.role_revoke,
        name="role-revoke",
    ),
    path(
        "k/<slug:slug>/pengurus/<uuid:assignment_id>/reset-verifikasi/",
        views.two_factor_reset,
        name="two-factor-reset",
    ),
]
