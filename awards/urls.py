from awards.views import decisions, history, setup, titles, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns + titles.urlpatterns + history.urlpatterns
urlpatterns += decisions.urlpatterns

__all__ = ["urlpatterns"]
