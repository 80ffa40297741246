"""Fixtures of the workspace tests: clusters A and B, a reviewer and an admin, real data of A."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_A = "whkjcyjq"
ACCOUNT_B = "whdzcyjq"
PASSWORD = "Kx8-sample-Passw0rd"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """No persistent connections in tests: PostgreSQL refuses to drop the test database while
    a live-server thread still holds one."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def no_stray_connections(django_db_setup, django_db_blocker):
    """Live-server request threads may still hold a connection at the end; PostgreSQL would
    then refuse to drop the test database. End them before the database is torn down."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """One data folder (uploaded files, evidence mirrors) for the whole session."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("workspace")
    saved = settings.DATA_DIR, settings.FILES_DIR
    settings.DATA_DIR, settings.FILES_DIR = path, path / "files"
    yield path
    settings.DATA_DIR, settings.FILES_DIR = saved


@pytest.fixture
def data_root(settings, tmp_path):
    """A data folder of the test's own, so that files it writes or removes touch no other test."""
    root = tmp_path / "data"
    settings.DATA_DIR, settings.FILES_DIR = root, root / "files"
    (root / "files").mkdir(parents=True)
    return root


@pytest.fixture(autouse=True)
def _workspace_settings(settings, data_dir):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str, *, must_change: bool = False):
    from reportsmith.web.accounts.models import User

    user = User(username=username, role=role, cluster=username if role == "cluster" else "", must_change_password=must_change)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture(scope="session")
def _world_rows(django_db_setup, django_db_blocker, data_dir):
    """Created once per session (outside the per-test transactions, which roll back to it)."""
    from django.conf import settings

    from reportsmith.web.workspace import store

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        store.ensure_spaces()
        make_user(ACCOUNT_A, "cluster")
        make_user(ACCOUNT_B, "cluster")
        make_user("shenhe", "reviewer")
        make_user("guanli", "admin")
        store.load_folder(REPO / "inputs" / ACCOUNT_A)
    return True


@pytest.fixture
def world(db, _world_rows):
    """Users of every role; cluster A loaded from the demo inputs (text, form, evidence)."""
    from reportsmith.web.accounts.models import User
    from reportsmith.web.workspace import store

    users = {role: User.objects.get(username=name) for role, name in
             (("cluster_a", ACCOUNT_A), ("cluster_b", ACCOUNT_B), ("reviewer", "shenhe"), ("admin", "guanli"))}
    return {"users": users, "space_a": store.get_space(ACCOUNT_A), "space_b": store.get_space(ACCOUNT_B)}


def client_for(world, role: str):
    from django.test import Client

    c = Client()
    if role != "anonymous":
        c.force_login(world["users"][role])
    return c
