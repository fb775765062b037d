"""Proposals and decisions between installations (docs/formats.md): ``thidua.proposal/1``
goes up to the deciding authority, ``thidua.decision/1`` comes back.

Each file carries ``"sha256"``: the SHA-256 (hex, lower case) of its *canonical content*,
the file's object without the ``sha256`` key written as JSON with sorted keys, no spaces
(separators ``,`` and ``:``), non-ASCII characters as themselves, encoded in UTF-8. A file
whose hash does not match was changed after it was written and is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from awards import services
from awards.enums import DecisionOutcome, TitleLevel
from awards.models import AwardType, Decision
from clusters.enums import PeriodKind
from clusters.models import Campaign, Membership, Unit

FORMAT_PROPOSAL = "thidua.proposal/1"
FORMAT_DECISION = "thidua.decision/1"
HASH_KEY = "sha256"


# --- The seal --------------------------------------------------------------------------------


def canonical(document: dict) -> bytes:
    """The content the hash is computed over: the document without its ``sha256`` key, as
    JSON with sorted keys, no spaces, UTF-8."""
    content = {key: value for key, value in document.items() if key != HASH_KEY}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def sealed(document: dict) -> dict:
    """``document`` with its ``sha256``."""
    return {**document, HASH_KEY: digest(document)}


def file_bytes(document: dict) -> bytes:
    """The file as written: indented UTF-8 JSON (the hash does not depend on the layout)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"


def _party(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name}


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


# --- thidua.proposal/1 -----------------------------------------------------------------------


def proposal_export(campaign: Campaign, *, level: str = "", on: dt.date | None = None) -> dict:
    """The campaign's passed proposals (only the titles of ``level`` when given) as a sealed
    ``thidua.proposal/1`` document, by title order, cluster and rank."""
    proposals = [
        p
        for p in services.passed_proposals(campaign, on)
        if not level or p.award_type.level == level
    ]
    document = {
        "format": FORMAT_PROPOSAL,
        "organiser": _party(campaign.organiser),
        "year": campaign.year,
        "campaign": campaign.name,
        "period": str(PeriodKind.YEAR_END),
        "proposals": [
            {
                "unit": _party(p.unit),
                "title": {
                    "code": p.award_type.code,
                    "name": p.award_type.name,
                    "level": p.award_type.level,
                },
                "cluster": {"code": p.cluster.code, "name": p.cluster.name},
                "band": p.sheet.band,
                "total": _decimal(p.sheet.total),
                "rank": p.sheet.rank,
                "vote_share": _decimal(p.vote.share),
                "votes_for": p.vote.votes_for,
                "members_present": p.vote.members_present,
            }
            for p in proposals
        ],
    }
    return sealed(document)


# --- thidua.decision/1 -----------------------------------------------------------------------


def decision_document(
    *,
    decider: dict,
    recipient: dict,
    year: int,
    number: str,
    date: dt.date,
    signer_name: str,
    signer_title: str,
    authority: str,
    level: str,
    items: list[dict],
) -> dict:
    """A sealed ``thidua.decision/1`` document: ``decider`` and ``recipient`` are
    ``{"code", "name"}``, each item ``{"unit", "title", "outcome"[, "note"]}`` by code."""
    return sealed(
        {
            "format": FORMAT_DECISION,
            "organiser": decider,
            "recipient": recipient,
            "year": year,
            "decision": {
                "number": number,
                "date": date.isoformat(),
                "signer_name": signer_name,
                "signer_title": signer_title,
                "authority": authority,
                "level": level,
            },
            "items": items,
        }
    )


def decision_for_proposal(
    proposal: dict, *, decider: Unit, outcomes: dict[tuple[str, str], str], **decision
) -> dict:
    """The decider's answer to a ``thidua.proposal/1`` file: a ``thidua.decision/1``
    addressed to the proposal's organiser, with an item for every proposal whose
    (unit code, title code) is in ``outcomes`` (granted or refused). ``decision`` holds
    number, date, signer_name, signer_title, authority and level."""
    items = []
    for row in proposal["proposals"]:
        key = (row["unit"]["code"], row["title"]["code"])
        if key in outcomes:
            items.append({"unit": key[0], "title": key[1], "outcome": outcomes[key]})
    return decision_document(
        decider=_party(decider),
        recipient=proposal["organiser"],
        year=proposal["year"],
        items=items,
        **decision,
    )


@dataclass
class DecisionPlan:
    """What importing a decision file would record: its header and items, or the errors
    that refuse it (nothing is recorded then)."""

    errors: list[str] = field(default_factory=list)
    header: dict = field(default_factory=dict)
    items: list[tuple[Unit, AwardType, str, str]] = field(default_factory=list)
    decider: dict = field(default_factory=dict)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value, errors: list[str], key: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.append(_("%(key)s: missing") % {"key": key})
        return ""
    if len(value.strip()) > limit:
        errors.append(_("%(key)s: at most %(limit)d characters") % {"key": key, "limit": limit})
    return value.strip()


def parse(content: bytes | str) -> dict:
    """The file's object; a ValidationError when it is not JSON holding an object."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file is not UTF-8 text.")) from error
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("The file is not valid JSON: %(error)s") % {"error": str(error)}
        ) from error
    if not isinstance(document, dict):
        raise ValidationError(_("The file does not hold a JSON object."))
    return document


def decision_plan(campaign: Campaign, document: dict) -> DecisionPlan:
    """Check a ``thidua.decision/1`` document against ``campaign`` (the importer's): its
    hash, that it is addressed to the campaign's organiser for its year, that every unit and
    title code is known, and that its number is not recorded yet. Every problem is listed."""
    plan = DecisionPlan()
    errors = plan.errors
    if document.get("format") != FORMAT_DECISION:
        errors.append(
            _('format: must be "%(expected)s", not "%(found)s"')
            % {"expected": FORMAT_DECISION, "found": document.get("format")}
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
    decider = document.get("organiser")
    recipient = document.get("recipient")
    plan.decider = decider if isinstance(decider, dict) else {}
    recipient = recipient if isinstance(recipient, dict) else {}
    organiser = campaign.organiser
    if recipient.get("code") != organiser.code:
        errors.append(
            _(
                "recipient: the decision is addressed to %(code)s, not to %(organiser)s "
                "(%(own)s); it cannot be imported here."
            )
            % {"code": recipient.get("code"), "organiser": organiser.name, "own": organiser.code}
        )
    if document.get("year") != campaign.year:
        errors.append(
            _("year: the decision is about %(year)s, the campaign is of %(campaign)s")
            % {"year": document.get("year"), "campaign": campaign.year}
        )
    _header(campaign, document.get("decision"), plan)
    _items(campaign, document.get("items"), plan)
    return plan


def _header(campaign: Campaign, header, plan: DecisionPlan) -> None:
    errors = plan.errors
    if not isinstance(header, dict):
        errors.append(_("decision: missing"))
        return
    number = _text(header.get("number"), errors, "decision.number", 64)
    try:
        date = dt.date.fromisoformat(str(header.get("date")))
    except ValueError:
        errors.append(_("decision.date: a date as YYYY-MM-DD"))
        date = None
    level = header.get("level")
    if level not in TitleLevel.values:
        errors.append(
            _("decision.level: one of %(levels)s") % {"levels": ", ".join(TitleLevel.values)}
        )
    plan.header = {
        "number": number,
        "date": date,
        "signer_name": _text(header.get("signer_name"), errors, "decision.signer_name", 150),
        "signer_title": _text(header.get("signer_title"), errors, "decision.signer_title", 255),
        "authority": _text(header.get("authority"), errors, "decision.authority", 255),
        "level": level,
    }
    if number and Decision.objects.filter(campaign=campaign, number=number).exists():
        errors.append(
            _("decision.number: decision %(number)s is already recorded for this campaign")
            % {"number": number}
        )


def _items(campaign: Campaign, items, plan: DecisionPlan) -> None:
    errors = plan.errors
    if not isinstance(items, list) or not items:
        errors.append(_("items: the decision grants or refuses nothing"))
        return
    units = {
        m.unit.code: m.unit
        for m in Membership.objects.filter(campaign=campaign).select_related("unit")
    }
    titles = {t.code: t for t in AwardType.objects.filter(campaign=campaign)}
    seen = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: not an object") % {"where": where})
            continue
        unit = units.get(item.get("unit"))
        title = titles.get(item.get("title"))
        if unit is None:
            errors.append(
                _('%(where)s: unit "%(code)s" is not a unit of this campaign')
                % {"where": where, "code": item.get("unit")}
            )
        if title is None:
            errors.append(
                _('%(where)s: title "%(code)s" is not a title of this campaign')
                % {"where": where, "code": item.get("title")}
            )
        outcome = item.get("outcome")
        if outcome not in DecisionOutcome.values:
            errors.append(_('%(where)s: outcome must be "granted" or "refused"') % {"where": where})
        key = (item.get("unit"), item.get("title"))
        if key in seen:
            errors.append(_("%(where)s: the same unit and title twice") % {"where": where})
        seen.add(key)
        note = item.get("note") or ""
        if unit is not None and title is not None and outcome in DecisionOutcome.values:
            plan.items.append((unit, title, outcome, str(note)))


@transaction.atomic
def decision_import(*, campaign: Campaign, plan: DecisionPlan, user) -> Decision:
    """Record a checked decision file (``decision_plan``) with all its items, or nothing."""
    if not plan.ok:
        raise ValidationError(plan.errors)
    decision = services.decision_record(
        campaign=campaign, user=user, source_sha256=plan.sha256, **plan.header
    )
    for unit, award_type, outcome, note in plan.items:
        services.decision_item_set(
            decision=decision,
            unit=unit,
            award_type=award_type,
            outcome=outcome,
            note=note,
            user=user,
        )
    return decision
