"""Home, sign-up, sign-in and sign-out."""
from django.contrib.auth import views as auth_views
from django.urls import path

from caregiving_course.server import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="caregiving/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
