from django.urls import path

from kopdes.members import portal_views as views

app_name = "portal"

urlpatterns = [
    path("masuk/", views.portal_login, name="login"),
    path("aktivasi/", views.portal_activate, name="activate"),
    path("<slug:slug>/", views.portal_home, name="home"),
    path("<slug:slug>/simpanan/", views.portal_passbook, name="passbook"),
    path("<slug:slug>/data/", views.portal_export, name="export"),
    path("<slug:slug>/koreksi/", views.portal_correction, name="correction"),
]
