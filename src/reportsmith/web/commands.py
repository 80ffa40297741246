"""``reportsmith serve``, ``users``, ``load``, ``export``: the workspace from the command line.

Argument parsing and printing only; the work is in :mod:`reportsmith.web.setup`,
:mod:`reportsmith.web.workspace.store` and :mod:`reportsmith.web.accounts.users`.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

from .setup import DEFAULT_DATA, prepare

DATA_HELP = f"工作区数据文件夹（数据库、上传的文件），默认 ./{DEFAULT_DATA}"


def _fail(message: str) -> int:
    click.echo(f"错误：{message}", err=True)
    return 2


def default_workers() -> int:
    """One process per CPU (at most 4): the checks are Python work, and one process uses one core."""
    return max(1, min(os.cpu_count() or 1, 4))


@click.command("serve")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--workers", default=None, type=click.IntRange(1, 32),
              help="处理请求的进程数，默认为 CPU 核数（最多 4）；1 表示单进程")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="每个进程处理请求的线程数")
def serve(data: Path | None, host: str, port: int, workers: int | None, threads: int) -> int:
    """启动在线填报工作区（生产用服务器：多进程用 gunicorn，单进程用 waitress）。

    首次启动时自动创建数据文件夹和数据库。账号用 reportsmith users init 创建。
    """
    folder = prepare(data)
    from .server import run
    from .workspace.blobs import sweep

    # What a crash (power cut, kill) left behind: unfinished uploads, files whose record was never saved.
    swept = sweep(folder)
    if swept["partial"] + swept["orphan"]:
        click.echo(f"已清理上次异常停止时未完成的上传：{swept['partial'] + swept['orphan']} 个文件")

    workers = default_workers() if workers is None else workers
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"工作区数据：{folder}")
    click.echo(f"在浏览器中打开 http://{shown}:{port}/ （按 Ctrl+C 停止）")
    sys.stdout.flush()
    try:
        run(host, port, workers=workers, threads=threads)
    except OSError as exc:
        why = "端口已被其他程序占用" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        return _fail(f"无法在 {shown}:{port} 上启动服务器：{why}。请换一个端口（--port），或先停止占用该端口的程序。")
    return 0


@click.group("users")
def users() -> None:
    """工作区账号：为 48 个集群和审核人员创建账号，或重设密码。"""


@users.command("init")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="写出账号和初始密码的 CSV 文件")
@click.option("--reviewer", "reviewers", multiple=True, metavar="NAME", help="审核人员账号名（可重复）")
@click.option("--admin", "admins", multiple=True, metavar="NAME", help="管理员账号名（可重复）")
def users_init(data: Path | None, output: Path, reviewers: tuple[str, ...], admins: tuple[str, ...]) -> int:
    """创建 48 个集群账号（账号与附件1一致）和审核人员账号，随机强密码写入 CSV（列：账号, 密码, 角色）。

    已有的账号保持不变（不会重设其密码）。首次登录时须修改密码。
    """
    if output.exists():
        return _fail(f"{output} 已存在；为避免覆盖已发放的密码，请换一个文件名")
    prepare(data)
    from .accounts.users import create_accounts, write_csv

    created, skipped = create_accounts(reviewers=reviewers, admins=admins)
    write_csv(output, created)
    click.echo(f"新建 {len(created)} 个账号，已有 {skipped} 个保持不变；账号和初始密码已写入 {output}")
    click.echo("请把各集群的账号和密码分别发给对应单位；首次登录须修改密码。")
    return 0


@users.command("passwd")
@click.argument("account")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
def users_passwd(account: str, data: Path | None) -> int:
    """重设 ACCOUNT 的密码：从标准输入读取新密码（一行），并取消“首次登录须修改密码”。"""
    prepare(data)
    from .accounts.users import set_password

    stream = click.get_text_stream("stdin")
    if stream.isatty():
        import getpass

        password = getpass.getpass("新密码：")
    else:
        password = stream.readline().rstrip("\r\n")
    problem = set_password(account, password)
    if problem:
        return _fail(problem)
    click.echo(f"已重设 {account} 的密码。")
    return 0


@click.command("load")
@click.argument("inputs", type=click.Path(path_type=Path))
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("--replace", is_flag=True, help="集群在工作区中已有改动时，仍用文件夹的内容替换（默认跳过这些集群）")
def load(inputs: Path, data: Path | None, replace: bool) -> int:
    """把 INPUTS/<账号>/ 文件夹（report.yaml、form.yaml 或 form.xlsx、evidence.yaml 及文件）导入工作区。

    INPUTS 可以是一个集群的文件夹，也可以是存放多个集群文件夹的上级文件夹。
    内容有变化的标题保存为新版本，旧版本仍可查看。上次导入之后已在工作区中填写、上传、
    提交或审核过的集群默认跳过，不会被覆盖（加 --replace 才替换）。
    """
    if not inputs.is_dir():
        return _fail(f"{inputs} 不是文件夹；请指定 inputs 或 inputs/账号")
    prepare(data)
    from .engine import ReportsmithError
    from .workspace import store

    folders = [inputs] if (inputs / "report.yaml").is_file() else sorted(
        p for p in inputs.iterdir() if p.is_dir() and (p / "report.yaml").is_file()
    )
    if not folders:
        return _fail(f"{inputs} 中没有含 report.yaml 的文件夹")
    store.ensure_spaces()
    loaded, skipped, failed = 0, 0, 0
    for folder in folders:
        try:
            store.load_folder(folder, replace_changes=replace)
            loaded += 1
        except store.ChangedInWorkspace as exc:
            click.echo(f"跳过：{exc.text()}", err=True)
            skipped += 1
        except ReportsmithError as exc:
            click.echo(f"错误：{exc.text()}", err=True)
            failed += 1
    click.echo(f"已导入 {loaded} 个集群文件夹"
               + (f"；跳过 {skipped} 个在工作区中已有改动的集群（见上方说明）" if skipped else "")
               + (f"；{failed} 个无法导入（见上方错误）" if failed else "") + "。")
    return 2 if failed else 1 if skipped else 0


@click.command("export")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="输出文件夹（每个集群一个子文件夹）")
def export(data: Path | None, output: Path) -> int:
    """把工作区中各集群的填报内容写成 reportsmith check / build / batch 读取的文件夹结构。"""
    prepare(data)
    from .workspace import store
    from .workspace.models import ClusterSpace

    n = 0
    for space in ClusterSpace.objects.all():
        if space.state == "not_started" and not space.sections.exists() and space.form is None:
            continue
        store.export_space(space, output / space.account)
        n += 1
    click.echo(f"已导出 {n} 个集群到 {output}")
    return 0
