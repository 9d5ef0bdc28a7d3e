"""django-import-export resources: agencies and users in and out of the admin as
CSV/XLSX, with the library's dry-run preview before anything is written."""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from reports.io.xlsx import neutralise
from reports.models import Agency, Role, User, access


class SafeExportResource(resources.ModelResource):
    """Exported text that a spreadsheet would run as a formula (= + - @) is quoted."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


class AgencyResource(SafeExportResource):
    # Agencies are named by name, not id, so a sheet written by hand imports.
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=ForeignKeyWidget(Agency, "name")
    )

    class Meta:
        model = Agency
        fields = ("name", "parent", "is_government")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        # The model's own validation (lengths, uniqueness) judges every row.
        clean_model_instances = True


class UserResource(SafeExportResource):
    agency = fields.Field(
        attribute="agency", column_name="agency", widget=ForeignKeyWidget(Agency, "name")
    )

    class Meta:
        model = User
        # Never passwords, staff or superuser flags: an imported sheet must not be a
        # way to hand out administrator rights.
        fields = ("username", "first_name", "last_name", "email", "agency", "role", "is_active")
        import_id_fields = ("username",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_save_instance(self, instance: User, row, **kwargs) -> None:
        actor = kwargs.get("user")
        if instance.pk and actor is not None:
            stored = User.objects.get(pk=instance.pk)
            if not access.can_manage_account(actor, stored):
                raise ValueError(f"只有超级管理员可以修改超级管理员账号“{stored.username}”。")
        if instance.role and instance.role not in Role.values:
            raise ValueError(f"角色“{instance.role}”无效，应为 {'、'.join(Role.values)}")

    def after_init_instance(self, instance: User, new: bool, row, **kwargs) -> None:
        if new:
            # New users set their password through the reset flow (and the model's
            # validation, run on every row, requires one).
            instance.set_unusable_password()
