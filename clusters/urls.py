from django.urls import path

from clusters.views import (
    accounts,
    activities,
    cluster,
    deadlines,
    documents,
    home,
    notices,
    recent,
    search,
    second_factor,
    setup,
    signing,
)

urlpatterns = [
    path("", home.home, name="home"),
    *setup.urlpatterns,
    *cluster.urlpatterns,
    *signing.urlpatterns,
    *activities.urlpatterns,
    *documents.urlpatterns,
    *deadlines.urlpatterns,
    *accounts.urlpatterns,
    *second_factor.urlpatterns,
    *search.urlpatterns,
    *recent.urlpatterns,
    *notices.urlpatterns,
]
