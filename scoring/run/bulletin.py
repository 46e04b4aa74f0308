"""The main job: ``python -m scoring bulletin`` (one quarter) and ``year`` (its quarters in turn).

One straight run, top to bottom in :func:`run_bulletin`:
snapshot the inputs → check and score them once → execute the notebook on that Result (it lays out
the sections and draws the charts) → bulletin.html → bulletin.pdf → scores.csv, ledger.csv,
scores.xlsx, bulletin.docx → unit statements → manifest.json → swap the finished folder into
``OUT/<Y>Q<Q>``. Everything is built in a staging folder beside the target: bad input writes
nothing, a failed or killed run leaves the previous output as it was.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from scoring.inputs.rules_file import DEFAULT_RULES, load_rules
from scoring.errors import ScoringError
from scoring.inputs.loading import load_dataset
from scoring.method.calendar import quarter_name
from scoring.method.engine import score
from scoring.render.docx import write_bulletin_docx
from scoring.render.html import chart_images, notebook_to_html
from scoring.render.pdf import html_to_pdf
from scoring.render.statements import render_all
from scoring.render.xlsx import write_outputs
from scoring.report.bulletin import bulletin_title
from scoring.report.glyphs import drawable_frame
from scoring.run import notebook as nb_run
from scoring.run.handoff import save_result
from scoring.run.folder import SNAPSHOT, snapshot, staging_folder, swap_into
from scoring.run.manifest import build_manifest, write_manifest
from scoring.run.notebook import RunError  # noqa: F401 - the run's failure, raised by its steps
from scoring.run.params import bulletin_params, latest_quarter, parse_quarter

ROOT = nb_run.ROOT
NOTEBOOK = ROOT / "notebooks" / "quarterly_bulletin.ipynb"
RESULT_FILE = ".result.pickle"       # the run's Result handed to the notebook; removed before the swap
# Input text the documents print: a character the bundled fonts lack becomes 〓 there, and the run
# says where it came from (bulletin spec, "Look").
PRINTED_TEXT = {"units": ("unit_name", "informant"), "submissions": ("title", "informant"), "events": ("note",)}


# ---- progress -------------------------------------------------------------------------------------
@dataclass
class Progress:
    label: str = ""
    stream: Any = None
    steps: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stream = self.stream or sys.stderr

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.say(f"{self.label}{name} …")
        t0 = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - t0
            self.steps.append((name, took))
        self.say(f"{self.label}{name} 完成（{took:.1f} 秒）")


@dataclass
class BulletinRun:
    year: int
    quarter: int
    folder: Path
    steps: list[tuple[str, float]]
    warnings: list[str]


def undrawable_input(data) -> list[str]:
    """「文件，第 n 行，列「…」：字符 … 无法用内置字体显示，已印作「〓」」 for every cell of printed input
    text holding a character the bundled fonts cannot draw."""
    warnings: list[str] = []
    for table, columns in PRINTED_TEXT.items():
        warnings += drawable_frame(getattr(data, table), columns)[1]
    return warnings


# ---- one quarter ----------------------------------------------------------------------------------
def run_bulletin(*, data_dir: Path, rules_file: Path, year: int | None, quarter: int | None, out: Path,
                 statements: bool = True, params_file: Path | None = None, notebook: Path = NOTEBOOK,
                 progress: Progress | None = None, check_text: bool = True) -> BulletinRun:
    """One quarter's bulletin into ``out/<Y>Q<Q>`` (see the module's docstring); ``year`` and
    ``quarter`` None: the latest quarter with data. Raises ScoringError (InputError: exit 2)."""
    progress = progress or Progress()
    rules = load_rules(rules_file)
    with tempfile.TemporaryDirectory(prefix="liyang-inputs-") as tmp:
        with progress.step("读取并检查输入数据"):
            inputs = snapshot(Path(data_dir), Path(tmp) / SNAPSHOT)
            data = load_dataset(inputs, rules)
        if year is None or quarter is None:
            year, quarter = latest_quarter(data)
            progress.say(f"{progress.label}通报季度：{quarter_name(year, quarter)}（数据中最近一年的最后一个有数据的季度）")
        params, params_path = bulletin_params(year, quarter, params_file, issuer=rules.meta.issuer)
        with progress.step("计分"):
            result = score(data, rules, year, quarter)
        name = f"{year}Q{quarter}"
        staging = staging_folder(Path(out), name)
        warnings: list[str] = [*data.notes, *(undrawable_input(data) if check_text else [])]
        try:
            nb_params = {"year": year, "quarter": quarter, "data_dir": nb_run.rel(data_dir),
                         "rules_file": nb_run.rel(rules_file), "output_dir": nb_run.rel(staging),
                         "write_tables": False, "result_file": str(staging / RESULT_FILE), **params}
            save_result(result, staging / RESULT_FILE)
            with progress.step("执行通报笔记本（图表、通报各部分）"):
                nb = nb_run.execute(notebook, staging / "bulletin.ipynb", nb_params)
            (staging / RESULT_FILE).unlink()
            warnings += nb_run.stderr_of(nb)
            with progress.step("生成 bulletin.html"):
                html = notebook_to_html(nb, bulletin_title(result), date=params["issue_date"], author=params["issuer"])
                (staging / "bulletin.html").write_text(html, encoding="utf-8")
            with progress.step("生成 bulletin.pdf"):
                warnings += html_to_pdf(html, staging / "bulletin.pdf", base_url=staging)
            with progress.step("写出 scores.csv、ledger.csv、scores.xlsx、bulletin.docx"):
                write_outputs(result, staging)
                write_bulletin_docx(result, params, staging / "bulletin.docx", charts=chart_images(nb))
            if statements:
                with progress.step("生成各单位得分明细单"):
                    render_all(result, staging, progress=sys.stderr.isatty(), issuer=params["issuer"],
                               issue_date=params["issue_date"], warnings_out=warnings)
            with progress.step("写出 manifest.json"):
                parameters = {**nb_params, "output_dir": nb_run.rel(Path(out) / name), "result_file": "",
                              "params_file": nb_run.rel(params_path) if params_path else "",
                              "notebook": nb_run.rel(notebook), "statements": statements}
                # The inputs as the run read them (the snapshot), under the names the user gave them.
                originals = {Path(p): Path(data_dir) / Path(p).name for p in data.files}
                write_manifest(build_manifest(inputs=originals, rules_file=Path(rules_file), parameters=parameters,
                                              output_dir=staging, root=ROOT), staging)
            target = Path(out) / name
            swap_into(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BulletinRun(year, quarter, target, list(progress.steps), list(dict.fromkeys(warnings)))


def _summary(run: BulletinRun, progress: Progress, total: float) -> None:
    for w in run.warnings:
        progress.say(f"提示：{w}")
    files = sorted(p.relative_to(run.folder).as_posix() for p in run.folder.iterdir())
    progress.say(f"{quarter_name(run.year, run.quarter)}通报已生成：{run.folder}")
    progress.say("  文件：" + "、".join(files))
    progress.say("  用时：" + "；".join(f"{n.split('（')[0]} {t:.1f} 秒" for n, t in run.steps) + f"；合计 {total:.1f} 秒")


# ---- commands --------------------------------------------------------------------------------------
def _rules_path(args: argparse.Namespace) -> Path:
    return Path(args.rules) if getattr(args, "rules", None) else DEFAULT_RULES


def bulletin_command(args: argparse.Namespace) -> int:
    """``python -m scoring bulletin``: bad input → exit 2, nothing written."""
    t0 = time.perf_counter()
    progress = Progress()
    year, quarter = parse_quarter(args.quarter) if args.quarter else (None, None)
    run = run_bulletin(data_dir=Path(args.data), rules_file=_rules_path(args), year=year, quarter=quarter,
                       out=Path(args.out), statements=args.statements == "yes",
                       params_file=getattr(args, "params", None), progress=progress)
    _summary(run, progress, time.perf_counter() - t0)
    return 0


def year_command(args: argparse.Namespace) -> int:
    """``python -m scoring year``: the four quarters in turn; one failing quarter does not stop the
    others; exit non-zero if any failed. The input is checked once first (bad input: exit 2)."""
    t0 = time.perf_counter()
    progress = Progress()
    rules_file = _rules_path(args)
    rules = load_rules(rules_file)
    with progress.step("检查输入数据"):
        data = load_dataset(args.data, rules, year=args.year)
    for note in [*data.notes, *undrawable_input(data)]:
        progress.say(f"提示：{note}")
    statements = getattr(args, "statements", "yes") == "yes"
    done: list[BulletinRun] = []
    failed: list[tuple[int, str]] = []
    for quarter in (1, 2, 3, 4):
        qp = Progress(label=f"[{args.year}Q{quarter}] ", stream=progress.stream)
        qp.say(f"=== {quarter_name(args.year, quarter)}（{quarter}/4）===")
        try:
            run = run_bulletin(data_dir=Path(args.data), rules_file=rules_file, year=args.year, quarter=quarter,
                               out=Path(args.out), statements=statements, progress=qp, check_text=False)
        except ScoringError as err:
            failed.append((quarter, str(err)))
            qp.say(f"失败：{err}")
            continue
        run = dataclasses.replace(run, warnings=[w for w in run.warnings if w not in data.notes])
        done.append(run)
        _summary(run, qp, sum(t for _, t in run.steps))
    progress.say(f"全年完成 {len(done)}/4 个季度，用时 {time.perf_counter() - t0:.1f} 秒。")
    for quarter, why in failed:
        progress.say(f"  {quarter_name(args.year, quarter)}失败：{why}")
    return 1 if failed else 0
