"""Writes to the organisation, one module per topic; callers name the module:
``organisation`` (units, campaigns, clusters and members as files and the demo describe
them), ``setup`` (setting up a year on its pages), ``signing`` (the signing conference's
records and files), ``accounts`` (accounts, passwords, the second factor) and
``activities`` (exchange activities, models and advanced examples). ``common`` holds what
they share."""
