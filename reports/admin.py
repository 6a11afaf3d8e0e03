from django.contrib import admin

from .models import SessionSummary


@admin.register(SessionSummary)
class SessionSummaryAdmin(admin.ModelAdmin):
    """Read-only: summaries are computed, never edited."""

    list_display = ("session", "computed_at", "purged_at")
    readonly_fields = ("session", "data", "computed_at", "purged_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
