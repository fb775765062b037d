"""Django admin for award types, restrictions, votes and decisions: administrators and
province staff, within the campaigns they manage (``clusters.permissions.managed_campaigns``),
through ``ScopeMixin``: another organiser's records are missing on every page. Writes go through
awards.services; votes are recorded on a cluster's awards page (where nobody votes on their
own unit), so they are read-only here."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards import permissions, services, titles
from awards.models import (
    AwardType,
    Decision,
    DecisionItem,
    PastTitle,
    ProposalAnswer,
    ReceivedProposal,
    TitleRule,
    UnitFigures,
    UnitRestriction,
    Vote,
)
from clusters import permissions as org
from clusters.admin.base import (
    ChoiceScope,
    ParentRightsMixin,
    ReadOnlyMixin,
    ScopedChoicesMixin,
    ScopedHistoryMixin,
    ScopeMixin,
    scoped_units,
)
from clusters.admin.uploads import UploadCleaningForm
from clusters.models import Unit

LOCALIZED = {models.DecimalField: {"localize": True}}


class AwardsAdmin(ScopeMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Administrators and province staff, within the campaigns they manage: the record's
    campaign is at ``campaign_path``."""

    formfield_overrides = LOCALIZED
    list_per_page = 50
    campaign_path = "campaign"
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "campaign": org.managed_campaigns,
        "unit": scoped_units,
    }

    def scope(self, request, queryset):
        campaigns = org.managed_campaigns(request.user)
        return queryset.filter(**{f"{self.campaign_path}__in": campaigns})

    def may_view_any(self, request) -> bool:
        return permissions.can_manage_awards(request.user)

    def may_add(self, request) -> bool:
        return permissions.can_manage_awards(request.user)


class ServiceCreateMixin:
    """A new record is added through its service (``create``), as the product's pages add
    it, so its checks and history are the same whatever the door; a change saves the row,
    checked (``full_clean``), with the user in its history."""

    def create(self, request, obj):
        """The service call that records ``obj``'s values; returns the stored record."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj._history_user = request.user
            obj.full_clean()
            obj.save()
            return
        obj.pk = self.create(request, obj).pk


class TitleRuleInline(admin.TabularInline):
    """A title's rules, edited with the title (each checked for its kind)."""

    model = TitleRule
    extra = 0
    formfield_overrides = LOCALIZED
    fields = [
        "order",
        "kind",
        "band",
        "titles",
        "years",
        "at_least",
        "scope",
        "number",
        "share",
        "figure",
        "comparison",
        "article",
    ]


@admin.register(AwardType)
class AwardTypeAdmin(ServiceCreateMixin, AwardsAdmin):
    inlines = [TitleRuleInline]
    readonly_fields = ["preset", "confirmed_at", "confirmed_by"]
    list_display = [
        "name",
        "code",
        "level",
        "campaign",
        "leading_only",
        "min_band",
        "max_per_cluster",
        "pass_share",
        "order",
    ]
    list_filter = ["campaign__year", "leading_only"]
    list_select_related = ["campaign"]
    search_fields = ["name", "code"]

    def create(self, request, obj):  # a change saves the row: it may change the code itself
        return services.award_type_upsert(
            campaign=obj.campaign,
            code=obj.code,
            name=obj.name,
            leading_only=obj.leading_only,
            min_band=obj.min_band,
            max_per_cluster=obj.max_per_cluster,
            pass_share=obj.pass_share,
            order=obj.order,
            level=obj.level,
            certificate_heading=obj.certificate_heading,
        )


def _organisers(user) -> models.QuerySet[Unit]:
    """The organisers whose past titles the user keeps."""
    if org.is_administrator(user):
        return Unit.objects.filter(organised_campaigns__isnull=False).distinct()
    return Unit.objects.filter(pk__in=org.organiser_ids(user))


@admin.register(PastTitle)
class PastTitleAdmin(ServiceCreateMixin, ScopedHistoryMixin, AwardsAdmin):
    """Past titles, kept by the staff of the organiser that recorded them (entered by hand
    or imported for the years before the product; decisions write them too)."""

    list_display = ["unit", "year", "name", "code", "source", "reference", "organiser"]
    list_filter = ["year", "source", "code"]
    list_select_related = ["unit", "organiser"]
    search_fields = ["unit__name", "unit__code", "name", "code", "reference", "note"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "organiser": _organisers,
        "unit": scoped_units,
    }

    def scope(self, request, queryset):
        if org.is_administrator(request.user):
            return queryset
        return queryset.filter(organiser_id__in=org.organiser_ids(request.user))

    def create(self, request, obj):
        return titles.past_title_record(
            organiser=obj.organiser,
            unit=obj.unit,
            year=obj.year,
            code=obj.code,
            name=obj.name,
            source=obj.source,
            reference=obj.reference,
            note=obj.note,
            user=request.user,
        )


@admin.register(UnitRestriction)
class UnitRestrictionAdmin(ServiceCreateMixin, ScopedHistoryMixin, AwardsAdmin):
    list_display = ["unit", "kind", "campaign", "starts_on", "ends_on", "reason"]
    list_filter = ["kind", "campaign__year"]
    list_select_related = ["campaign", "unit"]
    search_fields = ["unit__name", "unit__code", "reason"]

    def create(self, request, obj):
        return services.restriction_record(
            campaign=obj.campaign,
            unit=obj.unit,
            kind=obj.kind,
            reason=obj.reason,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            user=request.user,
        )


@admin.register(Vote)
class VoteAdmin(ScopedHistoryMixin, ReadOnlyMixin, AwardsAdmin):
    list_display = [
        "unit",
        "award_type",
        "cluster",
        "members_present",
        "votes_for",
        "passed",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = [
        "award_type__campaign__year",
        ("award_type", admin.RelatedOnlyFieldListFilter),
        ("cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit", "award_type", "cluster", "recorded_by"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["recorded_by", "recorded_at"]
    campaign_path = "cluster__campaign"

    @admin.display(boolean=True, description=_("passed"))
    def passed(self, obj: Vote) -> bool:
        return obj.passed


@admin.register(TitleRule)
class TitleRuleAdmin(AwardsAdmin):
    """Every title rule of the campaigns the user manages (also edited with their award
    type); each is checked for its kind."""

    list_display = ["award_type", "kind", "order", "titles", "band", "article"]
    list_filter = ["kind", "award_type__campaign__year"]
    list_select_related = ["award_type"]
    search_fields = ["award_type__name", "award_type__code", "titles", "article"]
    campaign_path = "award_type__campaign"
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "award_type": lambda user: AwardType.objects.filter(
            campaign__in=org.managed_campaigns(user)
        )
    }


@admin.register(UnitFigures)
class UnitFiguresAdmin(ScopedHistoryMixin, ReadOnlyMixin, AwardsAdmin):
    """The units' own figures: entered by each unit and checked by staff on their pages
    (nobody checks their own unit), so read-only here."""

    list_display = [
        "unit",
        "campaign",
        "headcount",
        "advanced_soldiers",
        "emulation_soldiers",
        "disciplined",
        "status",
        "checked_by",
    ]
    list_filter = ["status", "campaign__year"]
    list_select_related = ["unit", "campaign", "checked_by"]
    search_fields = ["unit__name", "unit__code"]


class DecisionItemInline(ParentRightsMixin, ScopedChoicesMixin, admin.TabularInline):
    """The units and titles a decision grants or refuses, edited with it (its rows follow
    the decision's scope)."""

    model = DecisionItem
    extra = 0
    fields = ["unit", "award_type", "outcome", "note"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "unit": scoped_units,
        "award_type": lambda user: AwardType.objects.filter(
            campaign__in=org.managed_campaigns(user)
        ),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "award_type")


@admin.register(Decision)
class DecisionAdmin(ScopedHistoryMixin, AwardsAdmin):
    """The authorities' decisions on the proposals of the campaigns the user manages
    (also recorded and imported on the campaign's decisions page); written through
    awards.services, history kept."""

    form = UploadCleaningForm
    inlines = [DecisionItemInline]
    list_display = ["number", "date", "authority", "level", "campaign", "created_by"]
    list_filter = ["campaign__year", "level"]
    list_select_related = ["campaign", "created_by"]
    search_fields = ["number", "authority", "signer_name"]
    readonly_fields = ["source_sha256", "created_by", "created_at"]
    fields = [
        "campaign",
        "number",
        "date",
        "signer_name",
        "signer_title",
        "authority",
        "level",
        "scanned_copy",
        "source_sha256",
        "created_by",
        "created_at",
    ]

    def save_model(self, request, obj, form, change) -> None:
        new_copy = "scanned_copy" in form.changed_data and obj.scanned_copy
        saved = services.decision_record(
            campaign=obj.campaign,
            user=request.user,
            number=obj.number,
            date=obj.date,
            signer_name=obj.signer_name,
            signer_title=obj.signer_title,
            authority=obj.authority,
            level=obj.level,
            scanned_copy=obj.scanned_copy if new_copy else None,
            decision=Decision.objects.get(pk=obj.pk) if change else None,
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not DecisionItem:
            super().save_formset(request, form, formset, change)
            return
        items = formset.save(commit=False)
        for item in formset.deleted_objects:
            services.decision_item_remove(item=item, user=request.user)
        for item in items:
            services.decision_item_set(
                decision=form.instance,
                unit=item.unit,
                award_type=item.award_type,
                outcome=item.outcome,
                note=item.note,
                user=request.user,
            )


@admin.register(DecisionItem)
class DecisionItemAdmin(ServiceCreateMixin, ScopedHistoryMixin, AwardsAdmin):
    """Every unit granted or refused by the decisions of the campaigns the user manages
    (also edited with their decision), through awards.services."""

    list_display = ["unit", "award_type", "outcome", "decision", "note"]
    list_filter = ["outcome", "decision__campaign__year"]
    list_select_related = ["unit", "award_type", "decision"]
    search_fields = ["unit__name", "unit__code", "decision__number", "award_type__name"]
    campaign_path = "decision__campaign"
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "decision": lambda user: Decision.objects.filter(campaign__in=org.managed_campaigns(user)),
        "unit": scoped_units,
        "award_type": lambda user: AwardType.objects.filter(
            campaign__in=org.managed_campaigns(user)
        ),
    }

    def create(self, request, obj):
        return services.decision_item_set(
            decision=obj.decision,
            unit=obj.unit,
            award_type=obj.award_type,
            outcome=obj.outcome,
            note=obj.note,
            user=request.user,
        )


@admin.register(ReceivedProposal)
class ReceivedProposalAdmin(ReadOnlyMixin, AwardsAdmin):
    """Proposal files other organisers sent to the user's organisers (received on
    /awards/incoming/): kept as they came, so read-only here."""

    list_display = ["sender_name", "sender_code", "year", "organiser", "received_at", "received_by"]
    list_filter = ["year"]
    list_select_related = ["organiser", "received_by"]
    search_fields = ["sender_name", "sender_code", "campaign_name"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "organiser": permissions.deciding_organisers,
    }

    def scope(self, request, queryset):
        return queryset.filter(organiser__in=permissions.deciding_organisers(request.user))


@admin.register(ProposalAnswer)
class ProposalAnswerAdmin(ReadOnlyMixin, AwardsAdmin):
    """The decision files written on received proposals: kept as they were written, so
    read-only here."""

    list_display = ["number", "date", "authority", "granted", "refused", "proposal", "answered_by"]
    list_filter = ["level", "proposal__year"]
    list_select_related = ["proposal", "answered_by"]
    search_fields = ["number", "authority", "proposal__sender_name"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "proposal": lambda user: ReceivedProposal.objects.filter(
            organiser__in=permissions.deciding_organisers(user)
        ),
    }

    def scope(self, request, queryset):
        return queryset.filter(
            proposal__organiser__in=permissions.deciding_organisers(request.user)
        )
