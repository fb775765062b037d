from django.urls import path

from clusters.views import activities, cluster, documents, home, setup, signing

urlpatterns = [
    path("", home.home, name="home"),
    *setup.urlpatterns,
    *cluster.urlpatterns,
    *signing.urlpatterns,
    *activities.urlpatterns,
    *documents.urlpatterns,
]
