"""``reportsmith backup`` and ``reportsmith restore``: argument parsing and printing only.

The work is in :mod:`reportsmith.web.backup`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .commands import DATA_HELP, _fail
from .setup import DEFAULT_DATA


def _folder(data: Path | None) -> Path:
    import os

    return Path(data or os.environ.get("REPORTSMITH_DATA") or DEFAULT_DATA).resolve()


@click.command("backup")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="备份文件（.tar）")
def backup(data: Path | None, output: Path) -> int:
    """备份工作区：数据库（SQLite 在线备份，或 PostgreSQL 的 pg_dump）和全部上传文件，连同校验清单写入一个文件。

    服务器运行时也可以备份，得到的是某一时刻的一致副本。
    """
    from .backup import BackupError, backup as run

    folder = _folder(data)
    try:
        s = run(folder, output)
    except BackupError as exc:
        return _fail(str(exc))
    db = "PostgreSQL" if s.database == "postgresql" else "SQLite"
    click.echo(f"已备份 {folder}（{db} 数据库，{s.files} 个上传文件，共 {s.bytes / 1e6:.1f} MB）到 {output}")
    return 0


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("--data", "data", type=click.Path(path_type=Path), required=True, help="恢复到的工作区数据文件夹")
@click.option("--force", is_flag=True, help="数据文件夹（或 PostgreSQL 数据库）中已有数据时仍然覆盖")
def restore(archive: Path, data: Path, force: bool) -> int:
    """从 reportsmith backup 生成的备份文件恢复工作区（先核对每个文件的校验值）。

    数据文件夹中已有工作区数据时拒绝恢复，除非加 --force。恢复时请先停止服务器。
    """
    from .backup import BackupError, restore as run

    try:
        s = run(archive, data, force=force)
    except BackupError as exc:
        return _fail(str(exc))
    from .setup import prepare

    prepare(data)  # brings an older backup's database up to the current migrations
    click.echo(f"已从 {archive} 恢复到 {data.resolve()}（{s.files} 个上传文件）；可以用 reportsmith serve --data {data} 启动")
    return 0
