from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from reports.io.resources import AgencyResource, UserResource
from reports.models import Agency, GeneralSection, Report, ReportEvent, User, access

PLEASE_CHOOSE = "请选择"


class ChineseChoicesAdmin(admin.ModelAdmin):
    """An empty choice reads 请选择, as on the app's own pages, not Django's ---------."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.blank and "choices" not in kwargs:
            blank = [("", PLEASE_CHOOSE)]
            kwargs["choices"] = db_field.get_choices(include_blank=True, blank_choice=blank)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("empty_label", PLEASE_CHOOSE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GuardedImportExportAdmin(ChineseChoicesAdmin, ImportExportModelAdmin):
    """An import both adds and changes rows: it needs both rights (the settings'
    IMPORT_EXPORT_IMPORT_PERMISSION_CODE asks for "change")."""

    def has_import_permission(self, request) -> bool:
        return super().has_import_permission(request) and self.has_add_permission(request)


@admin.register(Agency)
class AgencyAdmin(GuardedImportExportAdmin):
    resource_classes = [AgencyResource]
    formats = [CSV, XLSX]
    list_display = ["indented_name", "parent", "is_government"]
    list_filter = ["is_government"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Also what the bulk action 删除所选 asks for each selected agency.
        if obj is not None and not access.can_delete_agency(obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="机关名称", ordering="path")
    def indented_name(self, obj: Agency) -> str:
        depth = obj.path.count("/") - 2
        return "　" * max(depth, 0) + obj.name


AGENCY_FIELDSET: Any = ("所属机关与角色", {"fields": ("agency", "role")})


@admin.register(User)
class UserAdmin(GuardedImportExportAdmin, BaseUserAdmin):
    resource_classes = [UserResource]
    formats = [CSV, XLSX]
    list_display = ["username", "first_name", "agency", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    autocomplete_fields = ["agency"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), AGENCY_FIELDSET)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, AGENCY_FIELDSET)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not access.can_manage_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not access.can_manage_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)


class GeneralSectionInline(admin.StackedInline):
    model = GeneralSection
    extra = 0

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    has_add_permission = has_delete_permission = has_change_permission


class ReportEventInline(admin.TabularInline):
    """The workflow log, read-only: events are written by the transitions alone.
    (The per-field history is on the report page; django-simple-history's admin is not
    used because its revert view would be a write path around the lock.)"""

    model = ReportEvent
    extra = 0
    fields = ["at", "actor", "kind", "from_status", "to_status", "comment"]
    readonly_fields = ["at", "actor", "kind", "from_status", "to_status", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    has_change_permission = has_delete_permission = has_add_permission


@admin.register(Report)
class ReportAdmin(ChineseChoicesAdmin):
    """Read-mostly: figures are edited through the section pages, where the rules run."""

    list_display = ["title", "agency", "year", "status", "updated_at"]
    list_filter = ["status", "year"]
    search_fields = ["title", "agency__name"]
    fields = ["agency", "year", "revision", "title", "status", "published_on"]
    readonly_fields = ["agency", "year", "revision", "status", "published_on"]
    inlines = [GeneralSectionInline, ReportEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Locked reports stay locked on every write path, the admin included.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Asked for each selected report by the bulk action 删除所选 as well, so a
        # selection holding one locked report deletes nothing.
        if obj is not None and not access.can_delete_report_in_admin(obj):
            return False
        return super().has_delete_permission(request, obj)
