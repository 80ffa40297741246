"""The ``reportsmith`` command: argument parsing and printing only.

Subcommands live in their own modules and are imported only when run, so that
``reportsmith --help`` stays fast (python-docx, openpyxl and jinja2 are not loaded).
"""

from __future__ import annotations

import importlib
import sys
from typing import Sequence

import click

# name → (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "clusters": ("reportsmith.cli.clusters_cmd", "clusters", "列出附件1中的 48 个集群，或按账号、名称、序号查找"),
    "form": ("reportsmith.cli.form_cmd", "form", "统计报表（附件2）：校验、生成空白 Excel 表、导出 Word 表"),
    "count": ("reportsmith.cli.count_cmd", "count", "按 Word/WPS 的规则统计字数"),
    "check": ("reportsmith.cli.check_cmd", "check", "检查总结报告：提纲覆盖、字数、报表与佐证材料"),
    "init": ("reportsmith.cli.init_cmd", "init", "为一个集群生成填报文件夹（report.yaml、form.yaml、evidence.yaml）"),
    "schema": ("reportsmith.cli.schema_cmd", "schema", "输出填报文件的 JSON Schema，供编辑器自动补全和校验"),
    "highlights": ("reportsmith.cli.highlights_cmd", "highlights", "根据统计报表计算派生指标并生成数据句"),
    "build": ("reportsmith.cli.build_cmd", "build", "生成一个集群的 Word 总结报告"),
    "evidence": ("reportsmith.cli.evidence_cmd", "evidence", "佐证材料清单：核对名单、检查文件"),
    "batch": ("reportsmith.cli.batch_cmd", "batch", "批量生成并检查全部 48 个集群的报告，输出汇总表"),
    "import": ("reportsmith.cli.import_cmd", "import_", "把 Word 初稿转换为 report.yaml"),
    "compendium": ("reportsmith.cli.compendium_cmd", "compendium", "把全部集群的报告汇编成一个 Word 文档（封面、目录、汇总表和图表）"),
    "export-all": ("reportsmith.cli.export_cmd", "export_all", "把全部报告、汇总表、汇编和佐证材料打包为一个 zip（附 SHA-256 清单）"),
    # The online workspace (a Django project under reportsmith.web).
    "serve": ("reportsmith.web.commands", "serve", "启动在线填报工作区（浏览器中填写、检查、提交）"),
    "users": ("reportsmith.web.commands", "users", "工作区账号：创建 48 个集群和审核人员账号，重设密码"),
    "load": ("reportsmith.web.commands", "load", "把 inputs/账号 文件夹导入工作区"),
    "export": ("reportsmith.web.commands", "export", "把工作区内容导出为 check、build、batch 读取的文件夹"),
    "backup": ("reportsmith.web.backup_commands", "backup", "备份工作区（数据库和上传文件，服务器运行时也可）"),
    "restore": ("reportsmith.web.backup_commands", "restore", "从备份文件恢复工作区"),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("命令"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportsmith", message="reportsmith %(version)s", help="显示版本并退出。")
def cli() -> None:
    """reportsmith：湖北省创新型产业集群年度总结报告的生成与检查工具。

    每个命令的用法见 reportsmith 命令 --help，以及 README。
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 problems found, 2 could not run)."""
    from ._zh import install

    install()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = cli.main(args=args, prog_name="reportsmith", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        return 130
    except click.exceptions.ClickException as exc:
        exc.show()
        return 2 if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        # click ends a command whose output pipe closed (``reportsmith clusters | head -1``)
        # with a silent exit 1 after wrapping the streams; say what happened.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            from ._common import BROKEN_PIPE, _silence_stdout

            _silence_stdout()
            print(BROKEN_PIPE, file=sys.__stderr__)
            return 1
        raise
    return rv if isinstance(rv, int) else 0
