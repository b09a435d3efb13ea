"""Root URLs: the three apps, the admin, login, password change and the language switch.

This is the site level: it may name every app. The ``crm`` namespace holds the contact
list (``crm.views``) and the two pages that span the apps, the home page and the contact
card (``segments.site_views``, the highest app they read from).
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from segments import site_views

from . import unsubscribe
from . import views as contact_views

crm_patterns = (
    [
        path("", site_views.home, name="home"),
        path("contacts/", contact_views.ContactListView.as_view(), name="contact-list"),
        path("contacts/labels/", site_views.ContactLabelsView.as_view(), name="contact-labels"),
        path("contacts/<int:pk>/", site_views.ContactCardView.as_view(), name="contact-detail"),
        path(
            "contacts/<int:pk>/erase/",
            contact_views.ContactEraseView.as_view(),
            name="contact-erase",
        ),
        path(
            "contacts/<int:pk>/personal-data/",
            contact_views.ContactDataExportView.as_view(),
            name="contact-data-export",
        ),
        # Every user's own settings, beside the password change.
        path("accounts/settings/", contact_views.MySettingsView.as_view(), name="my-settings"),
        path(
            "contacts/<int:pk>/consent/",
            contact_views.ContactConsentView.as_view(),
            name="contact-consent",
        ),
    ],
    "crm",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every user changes their own password here; the admin is for administrators only.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # The one page without login (SPEC 9): the signed token is the authorisation.
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("", include(crm_patterns)),
    path("interactions/", include("interactions.urls")),
    path("segments/", include("segments.urls")),
    path("campaigns/", include("segments.campaign_urls")),
    path("jobs/", include("jobs.urls")),
    path("api/", include("api.urls")),
]
