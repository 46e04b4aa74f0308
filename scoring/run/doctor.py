"""``python -m scoring doctor``: is this machine ready to make a bulletin? Each check says, in
Chinese, what it found and, when something is missing, how to add it on this system.

The checks: Python, the packages that read and score the data, the notebook kernel the bulletin
runs on, the bundled Chinese fonts, the PDF engine (WeasyPrint and the Pango library it loads),
and the Word and Excel writers. Each package is loaded here by name (``importlib``) rather than
imported at the top, because a missing or broken one is exactly what this command must survive
to report. The module imports nothing of its own package either, so that on a machine where even
``python -m scoring`` fails to start, ``python -m scoring.run.doctor`` (or ``python
scoring/run/doctor.py``) still runs and says what is wrong.
"""
from __future__ import annotations

import argparse
import importlib
import io
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MIN_PYTHON = (3, 11)
FONT_FILES = ("NotoSerifCJKsc-Regular.otf", "NotoSansCJKsc-Regular.otf")   # scoring.report.glyphs
KERNEL = "python3"                                                           # scoring.run.notebook

# What the data and the scoring need: module → distribution name for pip.
CORE = (("pandas", "pandas"), ("numpy", "numpy"), ("pyarrow", "pyarrow"), ("yaml", "pyyaml"),
        ("pydantic", "pydantic"), ("python_calamine", "python-calamine"),
        ("matplotlib", "matplotlib"), ("jinja2", "jinja2"), ("uharfbuzz", "uharfbuzz"), ("pypdf", "pypdf"))
NOTEBOOK = (("papermill", "papermill"), ("nbconvert", "nbconvert"), ("nbclient", "nbclient"),
            ("ipykernel", "ipykernel"), ("jupyter_client", "jupyter-client"))


@dataclass(frozen=True)
class Finding:
    what: str          # the thing checked, e.g. "PDF 引擎（WeasyPrint）"
    ok: bool
    detail: str        # what was found (a version, a path, or the error)
    fix: str = ""      # how to add what is missing, for this system


def _windows(platform: str) -> bool:
    return platform.startswith("win")


def pip_fix(dist: str, platform: str = sys.platform) -> str:
    """How to install one package into this environment, online and from the offline wheelhouse."""
    py = ".venv\\Scripts\\python" if _windows(platform) else ".venv/bin/python"
    return (f"在项目目录下安装：联网时 {py} -m pip install -c constraints.txt {dist}；"
            f"内网（离线）时 {py} -m pip install --no-index --find-links wheelhouse {dist}"
            f"（wheelhouse 的制作见 docs/使用手册.md「在办公电脑上安装」）")


def pango_fix(platform: str = sys.platform) -> str:
    """What WeasyPrint needs outside Python: the Pango library (with its fonts machinery)."""
    if _windows(platform):
        return ("WeasyPrint 需要 Pango 库（GTK3 运行库）：安装 MSYS2（https://www.msys2.org/），在 MSYS2 终端运行 "
                "pacman -S mingw-w64-x86_64-pango，再把 C:\\msys64\\mingw64\\bin 加入系统环境变量 PATH（或设置 "
                "WEASYPRINT_DLL_DIRECTORIES=C:\\msys64\\mingw64\\bin），然后重新打开命令行窗口再试；"
                "内网电脑可在联网电脑上安装后把 C:\\msys64 整个目录拷过去")
    if platform == "darwin":
        return "WeasyPrint 需要 Pango 库：brew install pango"
    return ("WeasyPrint 需要 Pango 库：Debian/Ubuntu/统信UOS/麒麟 sudo apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 libharfbuzz-subset0；CentOS/openEuler sudo yum install pango；"
            "内网电脑可在同版本的联网电脑上 apt-get download 这些 .deb 包后拷过去用 dpkg -i 安装")


def _error(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"[:300]


def _version(module: object) -> str:
    return str(getattr(module, "__version__", "") or "")


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3]), executable: str = sys.executable) -> Finding:
    shown = ".".join(str(v) for v in version)
    if tuple(version[:2]) >= MIN_PYTHON:
        return Finding("Python", True, f"{shown}（{executable}）")
    need = ".".join(str(v) for v in MIN_PYTHON)
    return Finding("Python", False, f"{shown} 太旧，需要 {need} 或更新的版本（{executable}）",
                   f"安装 Python {need} 或更新版本（Windows 从 python.org 下载安装包，勾选 Add to PATH），"
                   f"再按 docs/使用手册.md 重新创建 .venv")


def check_module(what: str, module: str, dist: str, use: Callable[[object], str] | None = None,
                 platform: str = sys.platform) -> Finding:
    """``module`` loads (and ``use`` of it works; it returns extra detail), or how to add ``dist``."""
    try:
        mod = importlib.import_module(module)
    except Exception as err:  # noqa: BLE001 - any failure to load is what we report
        return Finding(what, False, f"无法加载 {module}（{_error(err)}）", pip_fix(dist, platform))
    detail = f"{dist} {_version(mod)}".strip()
    if use is not None:
        try:
            extra = use(mod)
        except Exception as err:  # noqa: BLE001
            return Finding(what, False, f"{detail} 已安装，但无法使用（{_error(err)}）", pip_fix(dist, platform))
        detail = f"{detail}，{extra}" if extra else detail
    return Finding(what, True, detail)


def check_modules(what: str, modules: tuple[tuple[str, str], ...], platform: str = sys.platform) -> Finding:
    """Several packages as one line: which are missing, and one pip command for all of them."""
    missing, found = [], []
    for module, dist in modules:
        f = check_module(what, module, dist, platform=platform)
        (found if f.ok else missing).append((dist, f.detail))
    if not missing:
        return Finding(what, True, "、".join(d for d, _ in found))
    names = " ".join(d for d, _ in missing)
    return Finding(what, False, "缺少或无法加载：" + "；".join(detail for _, detail in missing), pip_fix(names, platform))


def check_kernel(platform: str = sys.platform) -> Finding:
    """The Jupyter kernel ``python3`` the bulletin notebook runs on, and that it is this Python."""
    what = "笔记本内核（Jupyter python3）"
    py = ".venv\\Scripts\\python" if _windows(platform) else ".venv/bin/python"
    install = f"在项目目录下运行 {py} -m ipykernel install --sys-prefix --name python3"
    try:
        kernelspec = importlib.import_module("jupyter_client.kernelspec")
        spec = kernelspec.KernelSpecManager().get_kernel_spec(KERNEL)
    except Exception as err:  # noqa: BLE001 - NoSuchKernel, a missing jupyter_client, a broken file
        return Finding(what, False, f"找不到内核 {KERNEL}（{_error(err)}）", install)
    argv0 = spec.argv[0] if spec.argv else ""
    exe = shutil.which(argv0) or argv0
    if not exe or not Path(exe).exists():
        return Finding(what, False, f"内核 {KERNEL} 指向的程序「{argv0}」不存在（{spec.resource_dir}）", install)
    if argv0 not in ("python", "python3") and not _same_file(exe, sys.executable):
        return Finding(what, False, f"内核 {KERNEL} 用的是「{exe}」，不是本环境的 Python（{sys.executable}），"
                       f"通报笔记本会在缺少本项目依赖的环境中运行", install)
    return Finding(what, True, f"{exe}（{spec.resource_dir}）")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_fonts(platform: str = sys.platform) -> Finding:
    """The Noto CJK fonts the PDF and the charts use, shipped inside the package mplfonts."""
    what = "中文字体（Noto Serif/Sans CJK SC，来自 mplfonts）"
    try:
        mplfonts = importlib.import_module("mplfonts")
    except Exception as err:  # noqa: BLE001
        return Finding(what, False, f"无法加载 mplfonts（{_error(err)}）", pip_fix("mplfonts", platform))
    folder = Path(mplfonts.__file__).resolve().parent / "fonts"
    missing = [name for name in FONT_FILES if not (folder / name).is_file() or (folder / name).stat().st_size < 1_000_000]
    if missing:
        return Finding(what, False, f"{folder} 中缺少或不完整：{'、'.join(missing)}",
                       "重新安装字体包：" + pip_fix("--force-reinstall mplfonts", platform))
    return Finding(what, True, str(folder))


def _pdf(weasyprint: object) -> str:
    pdf = weasyprint.HTML(string="<p>溧阳 2023 年第四季度</p>").write_pdf()
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("生成的不是 PDF")
    return f"试排一页 PDF 成功（{len(pdf)} 字节）"


def check_pdf(platform: str = sys.platform) -> Finding:
    """WeasyPrint loads (it loads Pango when imported) and lays out a one-line page."""
    what = "PDF 引擎（WeasyPrint + Pango）"
    try:
        weasyprint = importlib.import_module("weasyprint")
    except ModuleNotFoundError as err:
        return Finding(what, False, f"没有安装 WeasyPrint（{_error(err)}）", pip_fix("weasyprint", platform))
    except Exception as err:  # noqa: BLE001 - OSError: cannot load library 'pango…'
        return Finding(what, False, f"WeasyPrint 已安装，但加载失败（{_error(err)}）", pango_fix(platform))
    try:
        return Finding(what, True, f"weasyprint {_version(weasyprint)}，{_pdf(weasyprint)}")
    except Exception as err:  # noqa: BLE001
        return Finding(what, False, f"WeasyPrint {_version(weasyprint)} 无法生成 PDF（{_error(err)}）", pango_fix(platform))


def _docx(docx: object) -> str:
    doc = docx.Document()
    doc.add_paragraph("通报试写：中文字体与表格")
    buffer = io.BytesIO()
    doc.save(buffer)
    return f"试写 Word 文档成功（{len(buffer.getvalue())} 字节）"


def _xlsx(openpyxl: object) -> str:
    wb = openpyxl.Workbook()
    wb.active.append(["单位编码", "0103"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"试写 Excel 工作簿成功（{len(buffer.getvalue())} 字节）"


def checks(platform: str = sys.platform) -> list[Finding]:
    return [
        check_python(),
        check_modules("读取与计分所需的软件包", CORE, platform),
        check_modules("笔记本（papermill、nbconvert、ipykernel）", NOTEBOOK, platform),
        check_kernel(platform),
        check_fonts(platform),
        check_pdf(platform),
        check_module("Word 写出（python-docx）", "docx", "python-docx", _docx, platform),
        check_module("Excel 写出（openpyxl）", "openpyxl", "openpyxl", _xlsx, platform),
    ]


def report(findings: list[Finding]) -> str:
    lines = ["安装检查（python -m scoring doctor）", ""]
    for f in findings:
        lines.append(f"[{'通过' if f.ok else '缺少'}] {f.what}：{f.detail}")
        if not f.ok and f.fix:
            lines.append(f"       解决办法：{f.fix}")
    bad = sum(not f.ok for f in findings)
    lines.append("")
    lines.append("结论：全部通过，可以生成通报。" if not bad else
                 f"结论：有 {bad} 项需要处理（见上面的“解决办法”），处理后再运行一次 python -m scoring doctor。")
    return "\n".join(lines)


def doctor_command(args: argparse.Namespace) -> int:
    """Print every check; exit 0 when all pass, 1 otherwise."""
    findings = checks(getattr(args, "platform", None) or sys.platform)
    print(report(findings))
    return 0 if all(f.ok for f in findings) else 1



if __name__ == "__main__":        # runs where the package cannot import (WeasyPrint without Pango): see the manual
    raise SystemExit(doctor_command(argparse.Namespace()))
