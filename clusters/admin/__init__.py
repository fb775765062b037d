"""Django admin for the organisation: every model of the app, in Vietnamese.

Who sees and changes what is decided by ``clusters.permissions``, never by Django's model
permissions (only superusers hold those). Three families of rights:

- units and users: administrators do everything; province staff view, add and change the
  units in their scope (never delete: a unit is deactivated, its history stays); other
  admin users (cluster leaders) may look units up, which autocomplete needs. Users are for
  administrators only;
- campaign set-up (campaigns, clusters, memberships): administrators and province staff
  change the campaigns they manage; cluster leaders only look at their own;
- signing records (conference and photos, pledge, items and signatures, registrations):
  whoever may record the signing of the record's cluster (``signing_clusters``) does
  everything with it, and sees nothing else.

An object outside the user's scope is not in ``get_queryset``, so its pages answer as
for a missing object (a redirect to the admin index) and a crafted POST changes nothing.
"""

# Importing the modules registers their ModelAdmins with the site.
from clusters.admin import (  # noqa: F401
    accounts,
    activities,
    deadlines,
    notices,
    organisation,
    signing,
)
