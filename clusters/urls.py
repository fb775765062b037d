from django.urls import path

from clusters.views import activities, cluster, documents, home, setup

urlpatterns = [
    path("", home.home, name="home"),
    *setup.urlpatterns,
    *cluster.urlpatterns,
    *activities.urlpatterns,
    *documents.urlpatterns,
]
