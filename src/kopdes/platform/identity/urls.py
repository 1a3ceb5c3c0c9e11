from django.contrib.auth import views as auth_views
from django.urls import path

from kopdes.platform.identity import views

app_name = "identity"
urlpatterns = [
    path("akun/masuk/", auth_views.LoginView.as_view(), name="login"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/verifikasi/", views.two_factor, name="two-factor"),
    path("k/<slug:slug>/pengurus/", views.officer_list, name="officer-list"),
]
