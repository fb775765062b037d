from django.urls import path

from clusters import views

urlpatterns = [
    path("", views.home, name="home"),
]
