from django.urls import path

from kopdes.platform.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("", views.profile, name="profile"),
]
