from django.urls import path

from kopdes.platform.identity import views

app_name = "identity"
urlpatterns = [
    path("akun/masuk/", views.LoginView.as_view(), name="login"),
    path("akun/keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/verifikasi/", views.two_factor, name="two-factor"),
    path("akun/kode-pemulihan/", views.recovery_codes, name="recovery-codes"),
    path("akun/undangan/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
