"""A user is a cluster (username = 账号 from 附件1), a reviewer or an admin."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

CLUSTER = "cluster"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CLUSTER, REVIEWER, ADMIN)


class User(AbstractUser):
    ROLE_CHOICES = [(CLUSTER, "集群"), (REVIEWER, "审核人员"), (ADMIN, "管理员")]

    role = models.CharField("角色", max_length=16, choices=ROLE_CHOICES, default=CLUSTER)
    # For cluster users: the 账号 whose data they own (equal to username).
    cluster = models.CharField("集群账号", max_length=64, blank=True, default="")
    must_change_password = models.BooleanField("首次登录须修改密码", default=True)

    def owns(self, account: str) -> bool:
        return self.role == CLUSTER and self.cluster == account

    @property
    def role_label(self) -> str:
        return dict(self.ROLE_CHOICES).get(self.role, self.role)
