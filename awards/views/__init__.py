"""The awards pages, one module per area: a cluster's awards, votes and the proposal
documents (votes.py) and a campaign's awards set-up (setup.py). Each module lists its own
``urlpatterns``."""
