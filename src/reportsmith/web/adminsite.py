"""Django's admin at ``/admin/`` (管理后台), for the admin role only.

Admins read every cluster's content but write none of it: the content (spaces, section
versions, files, submissions, the audit log, review comments) is registered read-only — no
add, change or delete, so no version is ever lost. Accounts are managed here: role, active,
the forced password change, a new password through Django's standard form (the user must
change it at the next log-in), and releasing a django-axes log-in lock.

The role decides, not ``is_staff``/``is_superuser``: the site and every model admin check
``role == admin``; the two flags are not used by the workspace and are not offered here.
Every URL of the site is wrapped by :func:`reportsmith.web.access.allow` like every other
view (anonymous → log-in page, other roles → 403); access.yaml lists the answers.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from django.urls import URLPattern, URLResolver, reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from . import engine
from .access import allow
from .accounts.models import ADMIN, CLUSTER, User
from .desk.models import ReviewComment
from .workspace.models import ACTION_LABELS, AuditEntry, ClusterSpace, SectionVersion, StoredFile, Submission

GUARD = allow(roles={ADMIN}, methods=("GET", "POST"), write_roles={ADMIN})


def is_admin(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and getattr(user, "role", None) == ADMIN


def _guarded(patterns: list) -> list:
    """Every pattern of the admin's URLconf behind the role check (in place; returns the list)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            _guarded(p.url_patterns)
        elif isinstance(p, URLPattern) and not hasattr(p.callback, "access"):
            p.callback = GUARD(p.callback)
    return patterns


class WorkspaceAdminSite(admin.AdminSite):
    site_header = "集群年度总结报告填报 · 管理后台"
    site_title = "管理后台"
    index_title = "账号与填报数据"
    site_url = "/"
    # An unknown /admin/ address answers 404 like any other (no redirect dance).
    final_catch_all_view = False

    def has_permission(self, request) -> bool:
        return is_admin(request)

    def get_urls(self):
        return _guarded(super().get_urls())


site = WorkspaceAdminSite(name="admin")


# ---------------------------------------------------------------- accounts

def _check_role(cleaned: dict, form: forms.ModelForm) -> dict:
    username = cleaned.get("username") or getattr(form.instance, "username", "")
    if cleaned.get("role") == CLUSTER and username and username not in engine.accounts():
        form.add_error("role", f"“{username}”不是附件1中的集群账号；集群角色只能给附件1的账号，其他人员请选审核人员或管理员")
    return cleaned


class AccountCreationForm(UserCreationForm):
    role = forms.ChoiceField(label="角色", choices=User.ROLE_CHOICES)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "role")

    def clean(self):
        return _check_role(super().clean(), self)


class AccountChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = _check_role(super().clean(), self)
        me = getattr(self, "current_user", None)
        if me is not None and me.pk == self.instance.pk:
            if cleaned.get("role") not in (None, ADMIN) or cleaned.get("is_active") is False:
                raise forms.ValidationError("不能取消自己的管理员角色或停用自己的账号；请由另一位管理员操作")
        return cleaned


class ResetPasswordForm(AdminPasswordChangeForm):
    """Django's standard form; the user must change the new password at the next log-in.

    Without the "password-based authentication off" switch: every account logs in by password."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = self.fields["password2"].required = True
        self.fields["password1"].help_text = "用户下次登录时须修改此密码。" + (self.fields["password1"].help_text or "")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
        return user


@admin.register(User, site=site)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = ResetPasswordForm
    add_form_template = "admin/accounts/user/add_form.html"
    change_user_password_template = "admin/accounts/user/change_password.html"
    list_display = ("username", "role", "cluster_name", "is_active", "must_change_password", "login_failures", "last_login")
    list_filter = ("role", "is_active", "must_change_password")
    search_fields = ("username",)
    ordering = ("role", "username")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("角色与状态", {"fields": ("role", "is_active", "must_change_password"),
                     "description": "集群角色的账号即附件1中的账号；停用的账号不能登录。在上方“密码”处可为用户设置新密码，用户下次登录时须修改。"}),
        ("登录记录", {"fields": ("login_failures", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),)
    readonly_fields = ("login_failures", "last_login", "date_joined")
    actions = ["unlock"]

    def get_readonly_fields(self, request, obj=None):
        # The 账号 names the cluster's data: it is never renamed.
        return self.readonly_fields + (("username",) if obj is not None else ())

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        obj.cluster = obj.username if obj.role == CLUSTER else ""
        super().save_model(request, obj, form, change)

    @admin.display(description="集群名称")
    def cluster_name(self, obj):
        if obj.role != CLUSTER:
            return "—"
        try:
            return engine.get_cluster(obj.username).name
        except engine.ReportsmithError:
            return "（不在附件1中）"

    @admin.display(description="登录失败次数")
    def login_failures(self, obj):
        from axes.models import AccessAttempt

        return sum(AccessAttempt.objects.filter(username=obj.username).values_list("failures_since_start", flat=True))

    @admin.action(description="解除所选账号的登录锁定")
    def unlock(self, request, queryset):
        from axes.utils import reset

        released = sum(reset(username=u.username) for u in queryset)
        messages.success(request, f"已清除 {released} 条登录失败记录，所选账号可以重新登录。")

    def has_view_permission(self, request, obj=None):
        return is_admin(request)

    def has_module_permission(self, request):
        return is_admin(request)

    def has_add_permission(self, request):
        return is_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # versions and the audit log name their authors: deactivate instead


# ---------------------------------------------------------------- cluster content, read-only

class ReadOnly(admin.ModelAdmin):
    """Admins read; nobody adds, changes or deletes here (the workspace's pages write, with history)."""

    actions = None
    list_per_page = 50

    @admin.display(description="集群", ordering="space__account")
    def cluster(self, obj):
        return obj.space.account if obj.space_id else "—"

    def has_view_permission(self, request, obj=None):
        return is_admin(request)

    def has_module_permission(self, request):
        return is_admin(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value is not None else "—"


def _when(value) -> str:
    """A time as the admin's lists show it (local time, Chinese format)."""
    return formats.localize(timezone.localtime(value)) if value else "—"


def _cluster_name(account: str) -> str:
    try:
        return engine.get_cluster(account).name
    except engine.ReportsmithError:
        return account


@admin.register(ClusterSpace, site=site)
class SpaceAdmin(ReadOnly):
    list_display = ("account", "name", "state", "year", "updated", "submitted")
    list_filter = ("state", "year")
    search_fields = ("account",)
    fieldsets = (
        (None, {"fields": ("account", "name", "state", "year", "updated", "submitted", "links")}),
        ("统计报表表尾", {"fields": ("filler", "phone", "fill_date")}),
        ("原始数据（JSON）", {"classes": ("collapse",), "fields": ("meta", "form_data", "evidence_data")}),
    )
    readonly_fields = ("account", "name", "state", "year", "updated", "submitted", "links", "filler", "phone",
                       "fill_date", "meta", "form_data", "evidence_data")

    @admin.display(description="集群名称")
    def name(self, obj):
        return _cluster_name(obj.account)

    @admin.display(description="更新时间", ordering="updated_at")
    def updated(self, obj):
        return _when(obj.updated_at)

    @admin.display(description="提交时间", ordering="submitted_at")
    def submitted(self, obj):
        return _when(obj.submitted_at)

    @admin.display(description="查看")
    def links(self, obj):
        return format_html(
            '<a href="{}?space__id__exact={}">各标题的全部版本</a> · <a href="{}?space__id__exact={}">上传文件</a> · '
            '<a href="{}?space__id__exact={}">操作记录</a> · <a href="{}">工作区页面</a>',
            reverse("admin:workspace_sectionversion_changelist"), obj.pk,
            reverse("admin:workspace_storedfile_changelist"), obj.pk,
            reverse("admin:workspace_auditentry_changelist"), obj.pk,
            reverse("overview", kwargs={"account": obj.account}),
        )

    @admin.display(description="报告其他内容（日期等）")
    def meta(self, obj):
        return _json(obj.report_meta)

    @admin.display(description="统计报表（附件2）")
    def form_data(self, obj):
        return _json(obj.form)

    @admin.display(description="佐证材料（evidence.yaml）")
    def evidence_data(self, obj):
        return _json(obj.evidence)


@admin.register(SectionVersion, site=site)
class SectionVersionAdmin(ReadOnly):
    list_display = ("cluster", "heading", "version", "author_name", "created_at", "length")
    list_filter = ("heading",)
    search_fields = ("space__account", "heading")
    list_select_related = ("space", "author")
    fields = ("cluster", "heading", "version", "author_name", "created_at", "body")
    readonly_fields = fields

    @admin.display(description="保存人")
    def author_name(self, obj):
        return obj.author.username if obj.author else "—"

    @admin.display(description="字数")
    def length(self, obj):
        return engine.zishu(obj.text)

    @admin.display(description="正文")
    def body(self, obj):
        return obj.text


@admin.register(StoredFile, site=site)
class StoredFileAdmin(ReadOnly):
    list_display = ("cluster", "path", "kind", "size_kb", "uploaded")
    search_fields = ("space__account", "path")
    list_select_related = ("space",)
    fields = ("cluster", "path", "kind", "size_kb", "digest", "uploader", "uploaded", "download")
    readonly_fields = fields

    @admin.display(description="大小（KB）")
    def size_kb(self, obj):
        return f"{obj.size / 1024:.1f}"

    @admin.display(description="SHA-256")
    def digest(self, obj):
        return obj.sha256

    @admin.display(description="上传人")
    def uploader(self, obj):
        return obj.uploaded_by.username if obj.uploaded_by else "—"

    @admin.display(description="上传时间")
    def uploaded(self, obj):
        return _when(obj.uploaded_at)

    @admin.display(description="下载")
    def download(self, obj):
        url = reverse("file", kwargs={"account": obj.space.account, "file_id": obj.pk})
        return format_html('<a href="{}">下载文件</a>', url)


@admin.register(Submission, site=site)
class SubmissionAdmin(ReadOnly):
    list_display = ("cluster", "submitter", "when")
    list_select_related = ("space", "user")
    search_fields = ("space__account",)
    fields = ("cluster", "submitter", "when", "counts", "explanations")
    readonly_fields = fields

    @admin.display(description="提交人")
    def submitter(self, obj):
        return obj.user.username if obj.user else "—"

    @admin.display(description="提交时间", ordering="created_at")
    def when(self, obj):
        return _when(obj.created_at)

    @admin.display(description="检查结果")
    def counts(self, obj):
        return _json(obj.summary)

    @admin.display(description="警告及说明")
    def explanations(self, obj):
        return "\n".join(f"{n.get('message', '')} —— 说明：{n.get('note', '')}" for n in obj.notes or []) or "—"


class ActionFilter(admin.SimpleListFilter):
    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(ACTION_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry, site=site)
class AuditEntryAdmin(ReadOnly):
    list_display = ("when", "cluster", "who", "what", "text")
    list_filter = (ActionFilter,)
    search_fields = ("space__account", "username", "detail")
    list_select_related = ("space",)
    fields = ("when", "cluster", "who", "what", "text")
    readonly_fields = fields

    @admin.display(description="操作")
    def what(self, obj):
        return obj.action_label

    @admin.display(description="内容")
    def text(self, obj):
        return obj.detail

    @admin.display(description="时间", ordering="created_at")
    def when(self, obj):
        return _when(obj.created_at)

    @admin.display(description="用户", ordering="username")
    def who(self, obj):
        return obj.username or "—"


@admin.register(ReviewComment, site=site)
class ReviewCommentAdmin(ReadOnly):
    list_display = ("cluster", "place_kind", "place", "text", "who", "created", "sent_at")
    list_filter = ("place_kind",)
    search_fields = ("space__account", "text")
    list_select_related = ("space",)
    fields = ("cluster", "place_kind", "place", "text", "who", "created", "sent_at")
    readonly_fields = fields

    @admin.display(description="审核人员", ordering="username")
    def who(self, obj):
        return obj.username or "—"

    @admin.display(description="写于", ordering="created_at")
    def created(self, obj):
        return _when(obj.created_at)
