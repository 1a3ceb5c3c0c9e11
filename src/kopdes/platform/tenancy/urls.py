from django.urls import path

from kopdes.platform.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("ubah/", views.profile_edit, name="profile-edit"),
    path("adart/ubah/", views.adart_edit, name="adart-edit"),
]
