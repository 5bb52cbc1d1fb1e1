from django.contrib import admin

from annotator.models import (
    Assignment,
    Item,
    LabelEvent,
    Membership,
    PaperDecision,
    PrimaryCategory,
    Project,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "corpus", "overlap", "order", "probe_share", "is_default", "created_at"]
    list_filter = ["corpus", "order"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    readonly_fields = ["probe_rate", "seed", "created_at"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "position", "is_probe", "final_label"]
    list_filter = ["project", "is_probe", "final_label"]
    raw_id_fields = ["sentence", "adjudicated_by"]
    search_fields = ["sentence__text"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "annotator", "label", "skipped", "labelled_at"]
    list_filter = ["project", "label", "skipped"]
    raw_id_fields = ["item", "annotator", "project"]
    search_fields = ["annotator__username", "item__sentence__text"]


@admin.register(LabelEvent)
class LabelEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "label", "assignment"]
    list_filter = ["action"]
    raw_id_fields = ["assignment"]


@admin.register(PrimaryCategory)
class PrimaryCategoryAdmin(admin.ModelAdmin):
    list_display = ["paper", "annotator", "label", "project", "confirmed_at"]
    list_filter = ["project", "label"]
    raw_id_fields = ["paper", "annotator"]


@admin.register(PaperDecision)
class PaperDecisionAdmin(admin.ModelAdmin):
    list_display = ["paper", "label", "project", "decided_by", "decided_at"]
    list_filter = ["project", "label"]
    raw_id_fields = ["paper", "decided_by"]
