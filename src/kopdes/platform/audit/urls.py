from django.urls import path

from kopdes.platform.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("<uuid:event_id>/", views.event_detail, name="event-detail"),
]
