"""The organisation's forms, one module per area, named like the views that use them:
``accounts``, ``activities``, ``setup``, ``signing``, and ``registration`` (the admin's
registration form)."""
