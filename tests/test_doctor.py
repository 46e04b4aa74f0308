"""``python -m scoring doctor`` checks the installation and says in Chinese what is missing and how
to add it (issue 13, item 10). ``doctor_command`` is called directly."""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from scoring.run import doctor
from scoring.run.doctor import Finding, check_module, check_python, doctor_command, pango_fix, pip_fix, report

DOCTOR = Path(doctor.__file__)


def test_on_this_installed_machine_every_check_passes_and_the_exit_status_is_0(capsys):
    assert doctor_command(argparse.Namespace()) == 0
    out = capsys.readouterr().out
    for what in ("Python", "笔记本内核", "中文字体", "PDF 引擎", "Word 写出", "Excel 写出"):
        assert f"[通过] {what}" in out, what
    assert "[缺少]" not in out and out.rstrip().endswith("结论：全部通过，可以生成通报。")


def test_a_missing_package_is_named_with_the_online_and_offline_install_commands():
    got = check_module("测试包", "no_such_module_for_doctor", "no-such-dist", platform="linux")
    assert not got.ok
    assert got.detail == ("无法加载 no_such_module_for_doctor（ModuleNotFoundError: "
                          "No module named 'no_such_module_for_doctor'）")
    assert got.fix == pip_fix("no-such-dist", "linux")
    assert ".venv/bin/python -m pip install -c constraints.txt no-such-dist" in got.fix
    assert ".venv/bin/python -m pip install --no-index --find-links wheelhouse no-such-dist" in got.fix


def test_on_windows_the_install_commands_use_the_scripts_folder():
    assert ".venv\\Scripts\\python -m pip install --no-index --find-links wheelhouse weasyprint" in pip_fix("weasyprint", "win32")


def test_a_package_that_loads_but_does_not_work_is_reported_as_unusable():
    def broken(module):
        raise OSError("cannot load library 'libpango-1.0-0'")
    got = check_module("PDF", "json", "json", broken, platform="linux")
    assert not got.ok and "已安装，但无法使用（OSError: cannot load library 'libpango-1.0-0'）" in got.detail


def test_what_weasyprint_needs_is_said_for_windows_and_for_linux():
    assert "Pango" in pango_fix("win32") and "pacman -S mingw-w64-x86_64-pango" in pango_fix("win32")
    assert "WEASYPRINT_DLL_DIRECTORIES" in pango_fix("win32")
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in pango_fix("linux")


def test_an_old_python_is_reported_with_the_version_needed():
    got = check_python((3, 9, 1), "/usr/bin/python3")
    assert not got.ok and got.detail == "3.9.1 太旧，需要 3.11 或更新的版本（/usr/bin/python3）"
    assert check_python((3, 11, 0), "/x/python").ok


def test_the_report_marks_what_is_missing_with_its_fix_and_counts_it():
    text = report([Finding("Python", True, "3.11.7"), Finding("PDF 引擎", False, "无法加载", "安装 Pango")])
    assert text.splitlines()[2:] == [
        "[通过] Python：3.11.7",
        "[缺少] PDF 引擎：无法加载",
        "       解决办法：安装 Pango",
        "",
        "结论：有 1 项需要处理（见上面的“解决办法”），处理后再运行一次 python -m scoring doctor。",
    ]


def test_any_failing_check_makes_the_exit_status_1(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "checks", lambda platform: [Finding("中文字体", False, "缺少字体文件", "重新安装")])
    assert doctor_command(argparse.Namespace()) == 1
    assert "[缺少] 中文字体：缺少字体文件" in capsys.readouterr().out


def test_the_doctor_imports_only_the_standard_library_so_it_runs_where_packages_are_missing():
    tree = ast.parse(DOCTOR.read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
