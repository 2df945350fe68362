"""Home (the catalogue), sign-up, sign-in, sign-out and enrolment."""
from django.contrib.auth import views as auth_views
from django.urls import path

from caregiving_course.server import enrolment, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("enrol/", enrolment.enrol_with_code, name="enrol"),
    path("enrol/open/", enrolment.enrol_open, name="enrol-open"),
    path("enrol/<str:code>/", enrolment.enrol_link, name="enrol-code"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="caregiving/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
