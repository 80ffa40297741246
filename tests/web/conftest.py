"""Fixtures of the workspace tests: clusters A and B, a reviewer and an admin, real data of A."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_A = "whkjcyjq"
ACCOUNT_B = "whdzcyjq"
PASSWORD = "Kx8-sample-Passw0rd"


@pytest.fixture(autouse=True)
def _workspace_settings(settings, tmp_path):
    settings.FILES_DIR = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True


def make_user(username: str, role: str, *, must_change: bool = False):
    from reportsmith.web.accounts.models import User

    user = User(username=username, role=role, cluster=username if role == "cluster" else "", must_change_password=must_change)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(db):
    """Users of every role; cluster A loaded from the demo inputs (text, form, evidence)."""
    from reportsmith.web.workspace import store

    store.ensure_spaces()
    users = {
        "cluster_a": make_user(ACCOUNT_A, "cluster"),
        "cluster_b": make_user(ACCOUNT_B, "cluster"),
        "reviewer": make_user("shenhe", "reviewer"),
        "admin": make_user("guanli", "admin"),
    }
    space_a = store.load_folder(REPO / "inputs" / ACCOUNT_A)
    return {"users": users, "space_a": space_a, "space_b": store.get_space(ACCOUNT_B)}


def client_for(world, role: str):
    from django.test import Client

    c = Client()
    if role != "anonymous":
        c.force_login(world["users"][role])
    return c
