from django.urls import path

from kopdes.platform.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("k/<slug:slug>/", views.dashboard, name="dashboard"),
]
