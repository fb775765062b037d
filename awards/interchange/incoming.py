"""The deciding side of the file exchange (docs/formats.md): a ``thidua.proposal/1`` file
another organiser sent up, read and checked before it is kept (awards/incoming.py).

The proposal's units and titles are the sender's: they are read as codes and names and never
looked up among the receiving organiser's units or award types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from awards.enums import TitleLevel
from awards.interchange.decisions import FORMAT_PROPOSAL, HASH_KEY, digest, parse
from awards.models import ReceivedProposal
from clusters.models import Unit


@dataclass
class Line:
    """One proposal of the file: a unit of the sender proposed for one of its titles."""

    unit_code: str
    unit_name: str
    title_code: str
    title_name: str
    level: str
    cluster: str = ""
    band: str = ""
    total: str = ""
    rank: int | None = None
    votes: str = ""

    @property
    def key(self) -> str:
        """The line's name in forms: ``<unit code>|<title code>``."""
        return f"{self.unit_code}|{self.title_code}"

    @property
    def level_label(self) -> str:
        return str(TitleLevel(self.level).label)


@dataclass
class ProposalPlan:
    """What receiving a proposal file would keep, or the errors that refuse it."""

    errors: list[str] = field(default_factory=list)
    document: dict = field(default_factory=dict)
    sender: dict = field(default_factory=dict)
    year: int | None = None
    campaign: str = ""
    lines: list[Line] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _party(value, key: str, errors: list[str]) -> dict:
    if not isinstance(value, dict):
        errors.append(_("%(key)s: missing") % {"key": key})
        return {}
    out = {}
    for part, limit in (("code", 64), ("name", 255)):
        text = value.get(part)
        if not isinstance(text, str) or not text.strip():
            errors.append(_("%(key)s: missing") % {"key": f"{key}.{part}"})
        elif len(text.strip()) > limit:
            errors.append(
                _("%(key)s: at most %(limit)d characters")
                % {"key": f"{key}.{part}", "limit": limit}
            )
        else:
            out[part] = text.strip()
    return out


def _line(row, where: str, errors: list[str]) -> Line | None:
    if not isinstance(row, dict):
        errors.append(_("%(where)s: not an object") % {"where": where})
        return None
    count = len(errors)
    unit = _party(row.get("unit"), f"{where}.unit", errors)
    title = _party(row.get("title"), f"{where}.title", errors)
    level = row.get("title", {}).get("level") if isinstance(row.get("title"), dict) else None
    if level not in TitleLevel.values:
        errors.append(
            _("%(key)s: one of %(levels)s")
            % {"key": f"{where}.title.level", "levels": ", ".join(TitleLevel.values)}
        )
    if len(errors) > count:
        return None
    cluster = row.get("cluster")
    votes_for, present = row.get("votes_for"), row.get("members_present")
    rank = row.get("rank")
    return Line(
        unit_code=unit["code"],
        unit_name=unit["name"],
        title_code=title["code"],
        title_name=title["name"],
        level=level,
        cluster=str(cluster.get("name") or "") if isinstance(cluster, dict) else "",
        band=str(row.get("band") or ""),
        total=str(row.get("total") or ""),
        rank=rank if isinstance(rank, int) else None,
        votes=f"{votes_for}/{present}" if isinstance(votes_for, int) and present else "",
    )


def proposal_plan(organiser: Unit, document: dict) -> ProposalPlan:
    """Check a ``thidua.proposal/1`` document received by ``organiser``: its format, its
    SHA-256, that it comes from another organiser and was not received already, its year and
    every proposal (unit and title, each with a code and a name; the title's level). Every
    problem is listed; the file is refused on the first of format and hash."""
    plan = ProposalPlan(document=document)
    errors = plan.errors
    if document.get("format") != FORMAT_PROPOSAL:
        errors.append(
            _('format: must be "%(expected)s", not "%(found)s"')
            % {"expected": FORMAT_PROPOSAL, "found": document.get("format")}
        )
        return plan
    plan.sha256 = str(document.get(HASH_KEY) or "")
    if plan.sha256 != digest(document):
        errors.append(
            _(
                "sha256: the file was changed after it was written (its content does not "
                "match its SHA-256); ask the sender for the original file."
            )
        )
        return plan
    plan.sender = _party(document.get("organiser"), "organiser", errors)
    if plan.sender.get("code") == organiser.code:
        errors.append(
            _(
                "organiser: the file is a proposal of %(organiser)s (%(code)s) itself; an "
                "organiser does not decide on its own proposals here."
            )
            % {"organiser": organiser.name, "code": organiser.code}
        )
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1945 <= year <= 2100:
        errors.append(_("year: a year between 1945 and 2100"))
    else:
        plan.year = year
    campaign = document.get("campaign")
    plan.campaign = campaign.strip()[:255] if isinstance(campaign, str) else ""
    rows = document.get("proposals")
    if not isinstance(rows, list) or not rows:
        errors.append(_("proposals: the file proposes nothing"))
        rows = []
    seen = set()
    for index, row in enumerate(rows):
        where = f"proposals[{index}]"
        line = _line(row, where, errors)
        if line is None:
            continue
        if line.key in seen:
            errors.append(_("%(where)s: the same unit and title twice") % {"where": where})
            continue
        seen.add(line.key)
        plan.lines.append(line)
    if ReceivedProposal.objects.filter(organiser=organiser, sha256=plan.sha256).exists():
        errors.append(_("sha256: this proposal file has already been received."))
    return plan


def read_plan(organiser: Unit, content: bytes | str) -> ProposalPlan:
    """``proposal_plan`` of a file's content; a plan with the reason when it is no JSON
    object."""
    try:
        document = parse(content)
    except ValidationError as error:
        return ProposalPlan(errors=error.messages)
    return proposal_plan(organiser, document)


def lines_of(content: str) -> list[Line]:
    """The lines of a kept (already checked) proposal file."""
    document = parse(content)
    errors: list[str] = []
    lines = []
    for index, row in enumerate(document.get("proposals") or []):
        line = _line(row, f"proposals[{index}]", errors)
        if line is not None:
            lines.append(line)
    return lines
