"""My settings: every logged-in user changes their own preferences here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from . import services
from .forms import PreferencesForm
from .middleware import SESSION_KEY


class MySettingsView(FormView):
    """The user's own settings; no role needed (login is, as on every page)."""

    template_name = "accounts/my_settings.html"
    form_class = PreferencesForm

    def get_initial(self):
        return {"time_zone": services.preferences_of(self.request.user).time_zone}

    def get_context_data(self, **kwargs):
        return super().get_context_data(now_shown=timezone.now(), **kwargs)

    def form_valid(self, form):
        try:
            preferences = services.update_preferences(
                self.request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        self.request.session[SESSION_KEY] = preferences.time_zone
        messages.success(self.request, _("Your settings have been saved."))
        return redirect("accounts:my-settings")
