"""Reviewer comments on a cluster's report: on a heading of 附件3 or on a row of 附件2.

A comment is a draft until the reviewer returns the report (退回修改): the return stamps every
draft with ``sent_at``, and the writer sees the comments of the latest return at their place
in her pages. State changes and comments go into the workspace's audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..workspace.models import ClusterSpace

HEADING = "heading"
ROW = "row"
GENERAL = "report"  # the reason of a return: about the report as a whole
PLACE_CHOICES = [(HEADING, "标题"), (ROW, "报表行"), (GENERAL, "整体意见")]


class ReviewComment(models.Model):
    space = models.ForeignKey(ClusterSpace, on_delete=models.CASCADE, related_name="review_comments")
    place_kind = models.CharField("位置类型", max_length=8, choices=PLACE_CHOICES)
    # The heading's title (without its number), the form row's key, or "" for the whole report.
    place = models.CharField("位置", max_length=128)
    text = models.TextField("意见")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("随退回发出", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["space", "sent_at"])]
        verbose_name = verbose_name_plural = "审核意见"

    def __str__(self) -> str:
        return f"{self.space.account} · {self.place_label}"

    @property
    def place_label(self) -> str:
        return dict(PLACE_CHOICES)[self.place_kind]


class CheckSummary(models.Model):
    """What the dashboard shows of one cluster's check, stored so that a refresh does not
    re-check 48 clusters: the figures of the engine's check of revision :attr:`revision` of
    the space (:attr:`engine` names the engine and its data files that computed them)."""

    space = models.OneToOneField(ClusterSpace, on_delete=models.CASCADE, primary_key=True, related_name="check_summary")
    revision = models.PositiveBigIntegerField("检查时的修订号")
    engine = models.CharField(max_length=64)
    checked_at = models.DateTimeField("检查时间")
    zishu = models.IntegerField("字数", null=True)
    band = models.CharField(max_length=16, blank=True, default="")
    coverage = models.FloatField("覆盖", null=True)
    errors = models.IntegerField(null=True)
    warnings = models.IntegerField(null=True)
    infos = models.IntegerField(null=True)
    # 佐证材料清单: attached and required items; null when the cluster has no evidence list.
    evidence_attached = models.IntegerField(null=True)
    evidence_required = models.IntegerField(null=True)
    # Why the inputs could not be read (the engine's message); "" when they were checked.
    problem = models.TextField(blank=True, default="")
    # [heading, topic, covered / negated / missing] of every topic of 附件3 (the coverage chart).
    topics = models.JSONField(default=list)
