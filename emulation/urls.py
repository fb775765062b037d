"""The project's URLs. Every page is under the user's language-neutral path;
the language is chosen by the switch in the page (stored in a cookie)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from emulation import views

urlpatterns = [
    path("", include("clusters.urls")),
    path("", include("scoring.urls")),
    path("", include("awards.urls")),
    path("", include("jobs.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
]
