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
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password",
                                                                 "aria-describedby": "id_password-help"}),
                               help_text=_("At least 8 characters; not a common password."))

    def clean_email(self) -> str:
        """The address in lower case. Whether it already has an account is never said (see views.signup)."""
        return self.cleaned_data["email"].lower()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password
