from awards.views import decisions, setup, titles, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns + titles.urlpatterns
urlpatterns += decisions.urlpatterns

__all__ = ["urlpatterns"]
