from django.urls import path

from .views import MySettingsView

app_name = "accounts"

urlpatterns = [path("settings/", MySettingsView.as_view(), name="my-settings")]
