"""Creating accounts for the 48 clusters and the reviewers; setting passwords."""

from __future__ import annotations

import csv
import io
import secrets
import string
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import engine
from .models import ADMIN, CLUSTER, REVIEWER

ROLE_LABELS = {CLUSTER: "集群", REVIEWER: "审核人员", ADMIN: "管理员"}
# No look-alike characters (0/O, 1/l/I) in handed-out passwords.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def new_password(length: int = 14) -> str:
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


def create_accounts(*, reviewers=(), admins=()) -> tuple[list[tuple[str, str, str]], int]:
    """Create missing accounts; return ([(账号, 密码, 角色)] of new ones, number left alone)."""
    User = get_user_model()
    wanted = [(a, CLUSTER) for a in engine.accounts()] + [(r, REVIEWER) for r in reviewers] + [(a, ADMIN) for a in admins]
    existing = set(User.objects.values_list("username", flat=True))
    created, skipped = [], 0
    with transaction.atomic():
        for name, role in wanted:
            if name in existing:
                skipped += 1
                continue
            pw = new_password()
            user = User(username=name, role=role, cluster=name if role == CLUSTER else "", must_change_password=True)
            user.set_password(pw)
            user.save()
            existing.add(name)
            created.append((name, pw, ROLE_LABELS[role]))
    return created, skipped


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """UTF-8 with BOM so that Excel shows the Chinese header; created with owner-only permissions."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["账号", "密码", "角色"])
    w.writerows(rows)
    import os

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(buf.getvalue())


def set_password(account: str, password: str) -> str | None:
    """Set a password (validated by Django's validators); return a Chinese problem or None."""
    User = get_user_model()
    user = User.objects.filter(username=account).first()
    if user is None:
        return f"没有账号“{account}”；请先用 reportsmith users init 创建账号"
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return "新密码不符合要求：" + "；".join(exc.messages)
    user.set_password(password)
    user.must_change_password = False
    user.save()
    return None
