"""Sign-up form for local learner accounts (the e-mail is the username)."""
from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 8 characters; not a common password."))

    def full_clean(self) -> None:
        """Validate, then link each field to its help and its error (``aria-describedby``, ``aria-invalid``), as
        the template shows them (``<id>-help``, ``<id>-error``)."""
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            ids = [f"{bound.auto_id}-help"] if field.help_text else []
            if self.errors.get(name):
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def clean_email(self) -> str:
        """The address in lower case. Whether it already has an account is never said (see views.signup)."""
        return self.cleaned_data["email"].lower()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password
