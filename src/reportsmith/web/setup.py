"""Start Django for a command: create the data folder and its secret key, migrate the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_DATA = "workspace"


def prepare(data_dir: Path | str | None, *, migrate: bool = True) -> Path:
    """Point the settings at ``data_dir`` (created when missing), set Django up and migrate.

    Must run before anything imports Django models.
    """
    data = Path(data_dir or os.environ.get("REPORTSMITH_DATA") or DEFAULT_DATA).resolve()
    data.mkdir(parents=True, exist_ok=True)
    (data / "files").mkdir(exist_ok=True)
    from .backup import sweep_partial

    sweep_partial(data / "files")  # an upload cut short by a crash leaves no partial file
    key = data / "secret_key"
    if not key.exists():
        try:
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(50))
    os.environ["REPORTSMITH_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportsmith.web.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return data
