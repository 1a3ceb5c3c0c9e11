from django.urls import path

from kopdes.platform.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("k/<slug:slug>/", views.dashboard, name="dashboard"),
]
