"""The ``thidua.organization/1`` interchange format (domain.md section 7, docs/formats.md).

Reading is in two steps. :func:`organization_validate` checks a decoded JSON document
against the format and the database without writing anything and reports *every* problem
at once, each message naming the record (``units[3] (code "PC02"): ...``).
:func:`organization_import` then writes the plan through :mod:`clusters.services` in one
transaction: either the whole file is stored or nothing is. :func:`organization_export`
writes a campaign back in the same format, so a file round-trips.
"""

from clusters.interchange.reading import (
    FORMAT,
    ImportSummary,
    OrganizationFileError,
    OrganizationPlan,
    organization_validate,
)
from clusters.interchange.writing import organization_export, organization_import

__all__ = [
    "FORMAT",
    "ImportSummary",
    "OrganizationFileError",
    "OrganizationPlan",
    "organization_export",
    "organization_import",
    "organization_validate",
]
