"""Writes to the organisation, one module per topic; callers name the module:
``organisation`` (units, campaigns, clusters and members as files and the demo describe
them), ``setup`` (setting up a year on its pages, the copy of a year), ``signing`` (the
signing conference's records and files), ``leadership`` (next year's leader and deputy),
``accounts`` (accounts, passwords, the second factor) and ``activities`` (exchange
activities, models and advanced examples). ``common`` holds what they share."""
