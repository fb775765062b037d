"""The organisation's forms, one module per area, named like the views and services that use
them: ``accounts``, ``activities``, ``leadership``, ``setup``, ``signing``, and
``registration`` (the admin's registration form)."""
