"""The organisation's pages, one module per area: the home page (home.py), setting up a
year (setup.py), a cluster's page with its signing records and files (cluster.py),
exchange activities and advanced models (activities.py), and official documents
(documents.py). Each module lists its own ``urlpatterns``."""
