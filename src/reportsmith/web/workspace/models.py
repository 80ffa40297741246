"""What the workspace stores per cluster. The engine's files are the exchange format:
:mod:`reportsmith.web.workspace.store` turns these rows into the exact folder the CLI reads
(report.yaml, form.yaml, evidence.yaml and files) and back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

NOT_STARTED = "not_started"
DRAFTING = "drafting"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
STATE_CHOICES = [
    (NOT_STARTED, "未开始"),
    (DRAFTING, "填写中"),
    (SUBMITTED, "已提交"),
    (RETURNED, "退回修改"),
    (APPROVED, "已通过"),
]
# States in which the cluster may change its content.
EDITABLE = (NOT_STARTED, DRAFTING, RETURNED)
# Allowed transitions: state → {action: new state}. The review desk adds return/approve views.
TRANSITIONS = {
    NOT_STARTED: {"edit": DRAFTING, "submit": SUBMITTED},
    DRAFTING: {"edit": DRAFTING, "submit": SUBMITTED},
    RETURNED: {"edit": RETURNED, "submit": SUBMITTED},
    SUBMITTED: {"return": RETURNED, "approve": APPROVED},
    APPROVED: {"return": RETURNED},
}


class ClusterSpace(models.Model):
    """One cluster's report: report.yaml's top level, the form, the evidence list, the state."""

    account = models.CharField("账号", max_length=64, unique=True)
    state = models.CharField("状态", max_length=16, choices=STATE_CHOICES, default=NOT_STARTED)
    year = models.PositiveIntegerField("年度", default=2024)
    # report.yaml top level besides the sections: {"date": "2025-01-15", "no_highlights": [...], "未归类": {...}}
    report_meta = models.JSONField(default=dict)
    # form.yaml as a mapping (row key → number as text; "previous" → mapping), or None without a form.
    form = models.JSONField(null=True, blank=True)
    form_version = models.PositiveIntegerField(default=0)
    # Footer of 附件2 (the 依托单位 comes from 附件1).
    filler = models.CharField("填表人", max_length=64, blank=True, default="")
    phone = models.CharField("电话", max_length=64, blank=True, default="")
    fill_date = models.DateField("填报日期", null=True, blank=True)
    # evidence.yaml as a mapping ({"机构": [...], "规划": [...], "政策": [...]}), or None without one.
    evidence = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Bumped in the database (never written from memory) on every change of the space, its
    # texts or its files: a check computed for revision N is stale once the revision moves on.
    revision = models.PositiveBigIntegerField("修订号", default=0, editable=False)

    class Meta:
        ordering = ["account"]
        verbose_name = verbose_name_plural = "集群填报空间"

    def __str__(self) -> str:
        return self.account

    def save(self, *args, **kwargs):
        """Save the fields, then bump :attr:`revision` with ``revision + 1`` in SQL, so that two
        concurrent saves of stale copies still count twice (the in-memory value is not written)."""
        if self._state.adding or kwargs.get("force_insert") or self.pk is None:
            super().save(*args, **kwargs)
            return
        fields = kwargs.pop("update_fields", None)
        if fields is None:
            fields = [f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "revision"]
        else:
            fields = [f for f in fields if f != "revision"]
        super().save(*args, update_fields=fields, **kwargs)
        bump_revision(self.pk)

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE

    @property
    def locked_message(self) -> str:
        """Why the content cannot change now (the answer to a save while submitted or approved)."""
        return f"报告处于“{self.state_label}”状态，不能修改；审核人员退回修改后才能再次编辑。"

    @property
    def state_label(self) -> str:
        return dict(STATE_CHOICES)[self.state]


class SectionVersion(models.Model):
    """One saved version of one heading's text. Never updated; the highest version is current.

    ``content`` is the heading's text, or — when the writer keyed the text by topic in
    report.yaml — a list of [topic, text] pairs (a list, because PostgreSQL's jsonb does not
    keep the order of an object's keys). :attr:`value` is the value as report.yaml holds it.
    The unique constraint makes a stale save fail (409).
    """

    space = models.ForeignKey(ClusterSpace, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField("标题", max_length=128)
    version = models.PositiveIntegerField("版本")
    content = models.JSONField(default=str)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "heading", "version"], name="one_row_per_version")]
        ordering = ["space", "heading", "-version"]
        verbose_name = verbose_name_plural = "正文版本"

    def __str__(self) -> str:
        return f"{self.space.account} · {self.heading} · 第 {self.version} 版"

    @staticmethod
    def stored(value):
        """report.yaml's value of a heading (text, or topic → text) as stored in ``content``."""
        if isinstance(value, dict):
            return [[str(k), "" if v is None else str(v)] for k, v in value.items()]
        return "" if value is None else str(value)

    @property
    def value(self):
        """The heading's value as report.yaml holds it: text, or topic → text in the written order."""
        if isinstance(self.content, list):
            return {k: v for k, v in self.content}
        return self.content or ""

    @property
    def keyed(self) -> bool:
        return isinstance(self.content, list)

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n\n".join(str(v).strip() for _, v in self.content if v and str(v).strip())
        return self.content or ""


class StoredFile(models.Model):
    """An uploaded file: bytes under FILES_DIR named by SHA-256, never by the upload's name.

    ``path`` is where evidence.yaml refers to it (``evidence/…``); ``kind`` is the type read
    from the content by the engine's evidence checks.
    """

    space = models.ForeignKey(ClusterSpace, on_delete=models.CASCADE, related_name="files")
    path = models.CharField("文件路径", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    kind = models.CharField("类型", max_length=16, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "path"], name="one_file_per_path")]
        ordering = ["space", "path"]
        verbose_name = verbose_name_plural = "上传文件"

    def __str__(self) -> str:
        return f"{self.space.account} · {self.path}"


class Submission(models.Model):
    """A submission: the check's counts at that moment and the writer's 说明 for each warning."""

    space = models.ForeignKey(ClusterSpace, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # [{"rule", "key", "message", "note"}] — one entry per warning, with the writer's 说明.
    notes = models.JSONField(default=list)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "提交记录"

    def __str__(self) -> str:
        return f"{self.space.account} · 提交于 {self.created_at:%Y-%m-%d %H:%M}"


def bump_revision(space_id: int | None) -> None:
    """Mark the space changed: whatever was checked for an earlier revision is stale."""
    if space_id is not None:
        ClusterSpace.objects.filter(pk=space_id).update(revision=F("revision") + 1)


@receiver(post_save, sender=SectionVersion)
@receiver(post_save, sender=StoredFile)
@receiver(post_delete, sender=StoredFile)
def _content_changed(sender, instance, raw=False, **kwargs) -> None:
    # A new text version or a file added, replaced or removed changes what the check reads.
    if not raw:
        bump_revision(instance.space_id)


ACTION_LABELS = {
    "save": "保存正文", "load": "导入文件夹", "form": "保存统计报表", "form-upload": "上传 Excel 报表",
    "evidence": "佐证材料", "import": "导入 Word 初稿", "download": "下载报告", "submit": "提交",
    "return": "退回修改", "approve": "通过", "comment": "审核意见",
}


class AuditEntry(models.Model):
    """Who did what when: every save, upload, import, state change. Shown by the review desk.

    ``action`` is a short code (see ACTION_LABELS; add a label for a new one)."""

    space = models.ForeignKey(ClusterSpace, null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)
    detail = models.TextField(blank=True, default="")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["space", "-created_at"])]
        verbose_name = verbose_name_plural = "操作记录"

    def __str__(self) -> str:
        return f"{self.username or '—'} · {self.action_label}"


def audit(space: ClusterSpace | None, user, action: str, detail: str = "") -> AuditEntry:
    name = getattr(user, "username", "") or ""
    return AuditEntry.objects.create(
        space=space, user=user if getattr(user, "pk", None) else None, username=name, action=action, detail=detail
    )
