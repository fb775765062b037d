"""The editor's pages and its changes (see the package's docstring)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.models import Membership, Unit
from scoring import permissions
from scoring.enums import CriterionKind, TableStatus
from scoring.models import Criterion, ScoreTable
from scoring.periods import period_for
from scoring.services import editor as services
from scoring.services.specs import TableFrozen, TableNotPublishable
from scoring.views import sheet as sheet_views
from scoring.views.common import require
from scoring.views.editor.history import history_events
from scoring.views.editor.panel import _decimal, _text, panel_fields, parse_parameters
from scoring.views.editor.tree import EditorState, changes, remember, shown_before
from scoring.views.tables import _managed_campaign, copy_sources

# --- Fetching within the user's scope --------------------------------------------------------


def _table(request: HttpRequest, pk: int, table_pk: int, *, change: bool = True) -> ScoreTable:
    """A table of a campaign the user manages (else 404 or 403); with ``change``, one the
    user may change now (a draft; a published table answers 403)."""
    campaign = _managed_campaign(request, pk)
    table = get_object_or_404(
        permissions.managed_tables(request.user).filter(campaign=campaign), pk=table_pk
    )
    table.campaign = campaign
    if change:
        require(permissions.can_edit_table(request.user, table))
    return table


def _criterion(table: ScoreTable, pk: int | str | None) -> Criterion:
    if pk in (None, ""):
        raise ValidationError(_("Choose a criterion first."))
    try:
        criterion = table.criteria.get(pk=int(pk))
    except (ValueError, Criterion.DoesNotExist):
        raise ValidationError(_("This criterion is no longer in the table.")) from None
    criterion.table = table
    return criterion


def _revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["revision"])
    except (KeyError, ValueError):
        return None


def _editor_url(table: ScoreTable) -> str:
    return reverse("campaign_table_editor", args=[table.campaign_id, table.pk])


def _urls(table: ScoreTable) -> dict[str, str]:
    args = [table.campaign_id, table.pk]
    names = {
        "add": "campaign_table_criterion_add",
        "rename": "campaign_table_criterion_rename",
        "move": "campaign_table_criterion_move",
        "place": "campaign_table_criterion_place",
        "delete": "campaign_table_criterion_delete",
        "panel": "campaign_table_criterion_panel",
        "update": "campaign_table_criterion_update",
        "settings": "campaign_table_settings",
        "publish": "campaign_table_publish",
        "preview": "campaign_table_preview",
        "history": "campaign_table_history",
        "editor": "campaign_table_editor",
    }
    return {key: reverse(name, args=args) for key, name in names.items()}


# --- Answers -----------------------------------------------------------------------------------


def _message(request, table, text: str, status: int, level: str = "danger") -> HttpResponse:
    """A refusal: its message where the editor shows messages, and nothing else changed."""
    if not request.htmx:
        messages.error(request, text)
        return redirect(_editor_url(table))
    context = {"status_message": text, "status_level": level, "table": table}
    response = render(request, "scoring/table_editor.html#status", context, status=status)
    response["HX-Retarget"] = "#editor-status"
    response["HX-Reswap"] = "outerHTML"
    return response


def _refused(request, table, error: ValidationError) -> HttpResponse:
    if isinstance(error, services.StaleTable | TableFrozen):
        return _message(request, table, " ".join(error.messages), 409, "warning")
    return _message(request, table, " ".join(error.messages), 422)


def _changed(
    request: HttpRequest,
    table: ScoreTable,
    before: EditorState,
    *,
    focus: int | None = None,
    rename: bool = False,
    note: str = "",
) -> HttpResponse:
    """The fragments a change altered, out of band, and where the keyboard goes next."""
    if not request.htmx:
        if note:
            messages.success(request, note)
        return redirect(_editor_url(table))
    after = EditorState.load(table)
    remember(table, after)
    whole, lists, rows = changes(before, after)
    context = {
        "table": table,
        "state": after,
        "urls": _urls(table),
        "editable": True,
        "whole": whole,
        "lists": lists,
        "rows": rows,
        "status_message": note,
        "status_level": "success",
        "oob": True,
    }
    # The criterion open in the side panel changed too (renamed in the tree, became a
    # group, deleted): the panel is drawn again so that it never sends stale values.
    selected = _int(request.POST.get("selected"))
    if selected is not None and selected in before.signatures:
        node = after.nodes.get(selected)
        if node is None or node.signature() != before.signatures[selected]:
            context.update(_panel_context(table, node.criterion if node else None, after))
            context["panel_selected"] = context.pop("selected")
            context["panel_fields"] = context.pop("fields")
            context["panel_refresh"] = True
    response = render(request, "scoring/table_editor.html#changes", context)
    if focus is not None:
        response["HX-Trigger-After-Settle"] = json.dumps(
            {"editor:focus": {"id": focus, "rename": rename}}
        )
    return response


# --- Pages ---------------------------------------------------------------------------------------


@require_GET
@login_required
def table_editor(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The editor of a draft table; a published one is shown read-only with the way to its
    next version."""
    table = _table(request, pk, table_pk, change=False)
    state = EditorState.load(table)
    editable = permissions.can_edit_table(request.user, table)
    if editable:
        remember(table, state)
    selected = state.nodes.get(_int(request.GET.get("criterion"))) or (
        state.roots[0] if state.roots else None
    )
    context = {
        "table": table,
        "campaign": table.campaign,
        "state": state,
        "urls": _urls(table),
        "editable": editable,
        **_panel_context(table, selected.criterion if selected else None, state),
        "settings": _settings_context(table),
        "draft": None if editable else _next_draft(table),
    }
    return render(request, "scoring/table_editor.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_draft(table: ScoreTable) -> ScoreTable | None:
    return table.next_versions.filter(status=TableStatus.DRAFT).order_by("-version").first()


def _settings_context(table: ScoreTable, raw=None, errors=None) -> dict:
    bands = raw["bands"] if raw else [(b["label"], b["min"]) for b in table.bands or []]
    shown = [(label, _text(_as_decimal(minimum))) for label, minimum in bands]
    errors = dict(errors or {})
    errors["general"] = errors.pop("", []) + errors.pop("__all__", [])
    return {
        "title": raw["title"] if raw else table.title,
        "bands": [*shown, ("", "")],
        "bonus_cap": raw["bonus_cap"] if raw else _text(table.bonus_cap),
        "errors": errors,
    }


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, Decimal) or value is None:
        return value
    try:
        return _decimal(str(value))
    except ValueError:
        return None


def _panel_context(
    table: ScoreTable, criterion: Criterion | None, state: EditorState | None = None
) -> dict:
    """The side panel of ``criterion`` (None: nothing chosen), with a group's sum."""
    group_sum = None
    if criterion is not None:
        criterion.table = table
        if criterion.kind == CriterionKind.GROUP:
            state = state or EditorState.load(table)
            group_sum = state.nodes[criterion.pk].sum
    return {
        "selected": criterion,
        "fields": panel_fields(criterion) if criterion is not None else [],
        "sum": group_sum,
        "sum_text": _text(group_sum),
    }


@require_GET
@login_required
def criterion_panel(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The side panel of one criterion (``?criterion=<id>``; none: the empty panel)."""
    table = _table(request, pk, table_pk, change=False)
    chosen = _int(request.GET.get("criterion"))
    criterion = None if chosen is None else get_object_or_404(table.criteria, pk=chosen)
    context = {
        "table": table,
        "urls": _urls(table),
        "editable": permissions.can_edit_table(request.user, table),
        **_panel_context(table, criterion),
    }
    return render(request, "scoring/table_editor.html#panel", context)


# --- Changes -------------------------------------------------------------------------------------


def _change(request: HttpRequest, pk: int, table_pk: int):
    """(table, revision, None) for a change, or (table, None, an answer that refuses it)."""
    table = _table(request, pk, table_pk)
    revision = _revision(request)
    if revision is None:
        return table, None, HttpResponseBadRequest(_("The table's revision is missing."))
    return table, revision, None


@dataclass(frozen=True)
class Changed:
    """What a change to the tree answers besides the fragments it altered: the criterion
    the keyboard goes to, whether its title is then edited in place, and the note shown."""

    focus: int | None
    rename: bool = False
    note: str = ""


TreeChange = Callable[[HttpRequest, ScoreTable, int, EditorState], Changed]


def _tree_change(change: TreeChange) -> Callable[..., HttpResponse]:
    """A POST view of one change to the tree: the table the user may change and the
    revision the page showed (else refused), what the page shows before, then ``change``
    (which calls the service; a ValidationError it raises is the refusal's message, and
    nothing changes), answered with the fragments the change altered (_changed)."""

    @require_POST
    @login_required
    @wraps(change)
    def view(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
        table, revision, refusal = _change(request, pk, table_pk)
        if refusal:
            return refusal
        before = shown_before(table)
        try:
            done = change(request, table, revision, before)
        except ValidationError as error:
            return _refused(request, table, error)
        return _changed(
            request, table, before, focus=done.focus, rename=done.rename, note=done.note
        )

    return view


@_tree_change
def criterion_add(
    request: HttpRequest, table: ScoreTable, revision: int, before: EditorState
) -> Changed:
    """Add a criterion: ``parent`` (a child), ``after`` (a sibling below), or neither (at
    the top); its title is then edited in place."""
    parent = request.POST.get("parent") and _criterion(table, request.POST["parent"])
    after = request.POST.get("after") and _criterion(table, request.POST["after"])
    kind = request.POST.get("kind") or CriterionKind.MANUAL
    if kind not in CriterionKind.values:
        raise ValidationError(_("Choose a kind from the list."))
    criterion = services.criterion_add(
        table=table,
        user=request.user,
        revision=revision,
        parent=parent or None,
        after=after or None,
        kind=kind,
        title=request.POST.get("title", ""),
    )
    note = _("%(code)s added.") % {"code": criterion.code}
    return Changed(focus=criterion.pk, rename=True, note=note)


@_tree_change
def criterion_rename(
    request: HttpRequest, table: ScoreTable, revision: int, before: EditorState
) -> Changed:
    criterion = _criterion(table, request.POST.get("criterion"))
    services.criterion_rename(
        criterion=criterion,
        user=request.user,
        revision=revision,
        title=request.POST.get("title", ""),
    )
    return Changed(focus=criterion.pk, note=_("Saved."))


@_tree_change
def criterion_move(
    request: HttpRequest, table: ScoreTable, revision: int, before: EditorState
) -> Changed:
    """Alt+↑/↓ (``up``/``down``), Tab (``indent``) and Shift+Tab (``outdent``)."""
    criterion = _criterion(table, request.POST.get("criterion"))
    services.criterion_move(
        criterion=criterion,
        user=request.user,
        revision=revision,
        action=request.POST.get("action", ""),
    )
    return Changed(focus=criterion.pk)


@_tree_change
def criterion_place(
    request: HttpRequest, table: ScoreTable, revision: int, before: EditorState
) -> Changed:
    """A criterion dropped ``before``, ``after`` or ``inside`` another."""
    criterion = _criterion(table, request.POST.get("criterion"))
    target = _criterion(table, request.POST.get("target"))
    services.criterion_place(
        criterion=criterion,
        user=request.user,
        revision=revision,
        target=target,
        place=request.POST.get("place", ""),
    )
    return Changed(focus=criterion.pk)


@_tree_change
def criterion_delete(
    request: HttpRequest, table: ScoreTable, revision: int, before: EditorState
) -> Changed:
    """Delete a criterion; with sub-criteria only when ``confirm`` says so. The keyboard
    goes to the sibling now in its place (else the one above, else its parent)."""
    criterion = _criterion(table, request.POST.get("criterion"))
    siblings = before.children.get(criterion.parent_id, [])
    index = siblings.index(criterion.pk) if criterion.pk in siblings else 0
    services.criterion_delete(
        criterion=criterion,
        user=request.user,
        revision=revision,
        with_children=request.POST.get("confirm") == "1",
    )
    rest = [pk for pk in siblings if pk != criterion.pk]
    nearest = rest[min(index, len(rest) - 1)] if rest else criterion.parent_id
    return Changed(focus=nearest, note=_("%(code)s deleted.") % {"code": criterion.code})


@require_POST
@login_required
def criterion_update(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The side panel's fields: answered with the panel (its refusals beside their fields)
    and, out of band, what the change altered in the tree."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
    except ValidationError as error:
        return _refused(request, table, error)
    before = shown_before(table)
    values, raw, errors = parse_parameters(criterion, request.POST)
    if not errors:
        try:
            services.criterion_update(
                criterion=criterion, user=request.user, revision=revision, values=values
            )
        except (services.StaleTable, TableFrozen) as error:
            return _refused(request, table, error)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    if errors:
        if not request.htmx:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
            return redirect(_editor_url(table))
        fresh = _criterion(table, criterion.pk)
        shown = Criterion(**{**_field_values(fresh), "kind": values.get("kind", fresh.kind)})
        shown.pk, shown.table = fresh.pk, table
        context = {
            "table": table,
            "urls": _urls(table),
            "selected": shown,
            "fields": panel_fields(shown, raw, errors),
            "general_errors": errors.get("", []) + errors.get("__all__", []),
            "sum": None,
            "editable": True,
            "status_message": _("Not saved: correct the fields marked below."),
            "status_level": "danger",
        }
        return render(request, "scoring/table_editor.html#panel", context, status=422)
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect(f"{_editor_url(table)}?criterion={criterion.pk}")
    response = _changed(request, table, before, note=_("Saved."))
    context = {"table": table, "urls": _urls(table), "editable": True}
    context.update(_panel_context(table, criterion))
    panel = render(request, "scoring/table_editor.html#panel", context)
    response.content = panel.content + response.content
    return response


def _field_values(criterion: Criterion) -> dict:
    return {
        f.attname: getattr(criterion, f.attname)
        for f in Criterion._meta.concrete_fields
        if f.name not in ("id",)
    }


def _parse_bands(post) -> tuple[list, list[tuple[str, Decimal]], list[str]]:
    raw, bands, errors = [], [], []
    for label, minimum in zip(post.getlist("band_label"), post.getlist("band_min"), strict=False):
        label, minimum = label.strip(), minimum.strip()
        if not label and not minimum:
            continue
        raw.append((label, minimum))
        if not label:
            errors.append(_("A band with the minimum %(min)s has no name.") % {"min": minimum})
            continue
        try:
            number = _decimal(minimum)
        except ValueError:
            number = None
        if number is None:
            errors.append(
                _("Band “%(label)s” needs a minimum total (a number).") % {"label": label}
            )
            continue
        bands.append((label, number))
    return raw, bands, errors


@require_POST
@login_required
def table_settings(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The table's title, bands and bonus cap."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = shown_before(table)
    raw_bands, bands, band_errors = _parse_bands(request.POST)
    raw = {
        "title": request.POST.get("title", ""),
        "bands": raw_bands,
        "bonus_cap": request.POST.get("bonus_cap", ""),
    }
    errors: dict[str, list[str]] = {"bands": band_errors} if band_errors else {}
    try:
        bonus_cap = _decimal(raw["bonus_cap"])
    except ValueError:
        errors["bonus_cap"] = [_("“%(value)s” is not a number.") % {"value": raw["bonus_cap"]}]
    if not errors:
        try:
            services.table_settings_update(
                table=table,
                user=request.user,
                revision=revision,
                title=raw["title"],
                bands=bands,
                bonus_cap=bonus_cap,
            )
        except (services.StaleTable, TableFrozen) as error:
            return _refused(request, table, error)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    if errors:
        if not request.htmx:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
            return redirect(_editor_url(table))
        table.refresh_from_db()
        context = {
            "table": table,
            "urls": _urls(table),
            "settings": _settings_context(table, raw, errors),
            "editable": True,
        }
        return render(request, "scoring/table_editor.html#settings", context, status=422)
    response = _changed(request, table, before, note=_("Saved."))
    if request.htmx:
        context = {
            "table": table,
            "urls": _urls(table),
            "settings": _settings_context(table),
            "editable": True,
        }
        settings_html = render(request, "scoring/table_editor.html#settings", context)
        response.content = settings_html.content + response.content
    return response


@require_POST
@login_required
def table_publish(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Publish the draft (the publishing checks first); then its clusters are chosen on the
    tables page."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    try:
        services.table_publish_checked(table=table, user=request.user, revision=revision)
    except TableNotPublishable as error:
        messages.error(
            request,
            _("%(table)s cannot be published yet: %(count)d problems, shown in the editor.")
            % {"table": table, "count": len(error.messages)},
        )
        return redirect(_editor_url(table))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_editor_url(table))
    messages.success(
        request,
        _("%(table)s is published. Tick the clusters it applies to.") % {"table": table},
    )
    return redirect(f"{reverse('campaign_tables', args=[table.campaign_id])}#table-{table.pk}")


# --- Preview and history -------------------------------------------------------------------------


@require_GET
@login_required
def table_preview(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The sheet page a unit will see, drawn from the table as it is now (read-only; no
    sheet is created). ``?member=<id>`` picks the unit among the members of the table's
    clusters (else of the campaign's)."""
    table = _table(request, pk, table_pk, change=False)
    members = _preview_members(table)
    chosen = next((m for m in members if m.pk == _int(request.GET.get("member"))), None)
    chosen = chosen or (members[0] if members else None)
    if chosen is None:
        unit, cluster = Unit(name=_("A unit of the cluster"), code="—"), None
    else:
        unit, cluster = chosen.unit, chosen.cluster
    context = sheet_views.preview_context(table, unit, cluster)
    context.update(
        members=members,
        member=chosen,
        editor_url=_editor_url(table),
        tables_url=reverse("campaign_tables", args=[table.campaign_id]),
    )
    return render(request, "scoring/sheet.html", context)


def _preview_members(table: ScoreTable) -> list[Membership]:
    members = Membership.objects.select_related("unit", "cluster").order_by(
        "cluster__number", "unit__code"
    )
    attached = members.filter(cluster__in=table.clusters.all())
    found = list(attached)
    return found or list(members.filter(cluster__campaign_id=table.campaign_id))


@require_GET
@login_required
def table_history(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Who changed what in the table, newest first."""
    table = _table(request, pk, table_pk, change=False)
    context = {"table": table, "events": history_events(table)}
    return render(request, "scoring/table_editor.html#history", context)


# --- New tables (from the tables page) ----------------------------------------------------------


@require_POST
@login_required
def table_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft table: blank, or a copy of a table of this campaign or of last year's
    (``source``); then its editor."""
    campaign = _managed_campaign(request, pk)
    require(permissions.can_create_table(request.user, campaign))
    own, _last, previous = copy_sources(campaign)
    sources = {t.pk: t for t in [*own, *previous]}
    source_pk = _int(request.POST.get("source"))
    title = request.POST.get("title", "")
    period = period_for(request, campaign)  # the six-month review's own table, if chosen
    try:
        if request.POST.get("source"):
            if source_pk not in sources:
                raise ValidationError(_("Choose a table to copy from the list."))
            table = services.table_copy(
                source=sources[source_pk],
                campaign=campaign,
                user=request.user,
                title=title,
                period=period,
            )
        else:
            table = services.table_create_blank(
                campaign=campaign, user=request.user, title=title, period=period
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('campaign_tables', args=[campaign.pk])}#new-table")
    messages.success(request, _("%(table)s was created as a draft.") % {"table": table})
    return redirect(reverse("campaign_table_editor", args=[campaign.pk, table.pk]))


@require_POST
@login_required
def table_new_version(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """ "Edit" on a published table: its next version as a draft (or the draft already made
    from it), opened in the editor."""
    table = _table(request, pk, table_pk, change=False)
    require(permissions.can_create_table(request.user, table.campaign))
    draft = services.table_edit_published(table=table, user=request.user)
    if draft.pk != table.pk:
        messages.info(
            request,
            _(
                "You are editing %(draft)s, a new draft of %(table)s: the published version "
                "and the sheets scored with it do not change."
            )
            % {"draft": draft, "table": table},
        )
    return redirect(reverse("campaign_table_editor", args=[table.campaign_id, draft.pk]))


_T = "campaigns/<int:pk>/tables/<int:table_pk>/"
urlpatterns = [
    path("campaigns/<int:pk>/tables/new/", table_create, name="campaign_table_create"),
    path(f"{_T}edit/", table_editor, name="campaign_table_editor"),
    path(f"{_T}new-version/", table_new_version, name="campaign_table_new_version"),
    path(f"{_T}settings/", table_settings, name="campaign_table_settings"),
    path(f"{_T}publish/", table_publish, name="campaign_table_publish"),
    path(f"{_T}preview/", table_preview, name="campaign_table_preview"),
    path(f"{_T}history/", table_history, name="campaign_table_history"),
    path(f"{_T}criteria/panel/", criterion_panel, name="campaign_table_criterion_panel"),
    path(f"{_T}criteria/add/", criterion_add, name="campaign_table_criterion_add"),
    path(f"{_T}criteria/rename/", criterion_rename, name="campaign_table_criterion_rename"),
    path(f"{_T}criteria/move/", criterion_move, name="campaign_table_criterion_move"),
    path(f"{_T}criteria/place/", criterion_place, name="campaign_table_criterion_place"),
    path(f"{_T}criteria/delete/", criterion_delete, name="campaign_table_criterion_delete"),
    path(f"{_T}criteria/update/", criterion_update, name="campaign_table_criterion_update"),
]
