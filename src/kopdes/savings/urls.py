from django.urls import path

app_name = "savings"
urlpatterns: list = []
