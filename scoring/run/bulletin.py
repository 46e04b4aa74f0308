"""The main job: ``python -m scoring bulletin`` (one quarter) and ``year`` (its quarters in turn).

One straight run, top to bottom in :func:`run_bulletin`:
snapshot the inputs → check and score them once → execute the notebook on that Result (it lays out
the sections and draws the charts) → bulletin.html → bulletin.pdf → scores.csv, ledger.csv,
scores.xlsx, bulletin.docx → unit statements → changes.csv → manifest.json → swap the finished
folder into ``OUT/<Y>Q<Q>`` (the replaced folder kept under ``OUT/history/<Y>Q<Q>/<n>/``).
Everything is built in a staging folder beside the target: bad input writes nothing, a failed or
killed run leaves the previous output as it was. A quarter without adoption records is refused
unless ``allow_empty``; every row the run leaves out is noted with its file and rows.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
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
from scoring.render.review import REVIEW, write_review
from scoring.render.statements import render_all
from scoring.render.xlsx import write_outputs
from scoring.report.bulletin import bulletin_title
from scoring.report.glyphs import drawable_frame
from scoring.report.review import review_page
from scoring.run import notebook as nb_run
from scoring.run.handoff import save_result
from scoring.run.folder import SNAPSHOT, is_sample, sample_note, snapshot, staging_folder, swap_into
from scoring.run.history import CHANGES, change_lines, changes_since, corrections, write_changes
from scoring.run.manifest import build_manifest, write_manifest
from scoring.run.notebook import RunError  # noqa: F401 - the run's failure, raised by its steps
from scoring.run.params import (adoption_counts, bulletin_params, empty_quarter, holdings,
                                latest_quarter, latest_year, located_notes, parse_quarter, stale_quarter)

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
    changes: Any = None                  # the changes frame (history.CHANGE_COLUMNS), None on a first run
    compared_with: str = ""              # what the changes are against (上次输出 / 已发布版本 …)
    kept: Path | None = None             # where the replaced folder was kept (OUT/history/<Y>Q<Q>/<n>)


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
                 progress: Progress | None = None, check_text: bool = True, allow_empty: bool = False,
                 today: dt.date | None = None) -> BulletinRun:
    """One quarter's bulletin into ``out/<Y>Q<Q>`` (see the module's docstring); ``year`` and
    ``quarter`` None: the latest quarter with data. Raises ScoringError (InputError: exit 2)."""
    progress = progress or Progress()
    rules = load_rules(rules_file)
    marker = is_sample(Path(data_dir))
    with tempfile.TemporaryDirectory(prefix="liyang-inputs-") as tmp:
        with progress.step("读取并检查输入数据"):
            inputs = snapshot(Path(data_dir), Path(tmp) / SNAPSHOT)
            data = load_dataset(inputs, rules, today=today)
        if year is None or quarter is None:
            year, quarter = latest_quarter(data)
            progress.say(f"{progress.label}通报季度：{quarter_name(year, quarter)}（数据中最近一年的最后一个有数据的季度）")
        if not allow_empty and (why := empty_quarter(data, year, quarter)):
            raise ScoringError(why)
        params, params_path = bulletin_params(year, quarter, params_file, issuer=rules.meta.issuer, data_dir=data_dir)
        with progress.step("计分"):
            result = score(data, rules, year, quarter)
        name = f"{year}Q{quarter}"
        staging = staging_folder(Path(out), name)        # first: it puts back a killed run's swapped-out folder
        warnings: list[str] = [*([sample_note(marker)] if marker else []), *data.notes,
                               *located_notes(data, rules, year, quarter, Path(rules_file)),
                               *filter(None, [stale_quarter(data, year, quarter)]),
                               *(undrawable_input(data) if check_text else [])]
        try:
            # What changed since the last (or the published) output: changes.csv, the console, 更正说明.
            baseline, changes = changes_since(Path(out), name, result)
            # What the documents say of themselves besides the params file: 样例数据 on sample data,
            # 更正说明 once a version of this quarter was published.
            params = {**params, "sample_data": marker is not None,
                      "corrections": corrections(changes) if baseline and baseline.published else []}
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
                write_outputs(result, staging, sample=marker is not None)
                write_bulletin_docx(result, params, staging / "bulletin.docx", charts=chart_images(nb))
            if statements:
                with progress.step("生成各单位得分明细单"):
                    render_all(result, staging, progress=sys.stderr.isatty(), issuer=params["issuer"],
                               issue_date=params["issue_date"], warnings_out=warnings, sample=marker is not None)
            # The analyst's 核对清单 (never sent to units): the run's notes, checks, changes.
            write_review(review_page(result, data, notes=warnings, changes=changes, marker=marker,
                                     compared_with=baseline.describe() if baseline else ""), staging / REVIEW)
            if changes is not None:
                write_changes(changes, staging / CHANGES)
            with progress.step("写出 manifest.json"):
                parameters = {**nb_params, "output_dir": nb_run.rel(Path(out) / name), "result_file": "",
                              "params_file": nb_run.rel(params_path) if params_path else "",
                              "notebook": nb_run.rel(notebook), "statements": statements}
                # The inputs as the run read them (the snapshot), under the names the user gave them.
                originals = {Path(p): Path(data_dir) / Path(p).name for p in data.files}
                if params_path:
                    originals[Path(params_path)] = Path(params_path)
                write_manifest(build_manifest(inputs=originals, rules_file=Path(rules_file), parameters=parameters,
                                              output_dir=staging, root=ROOT, sample_data=marker is not None), staging)
            target = Path(out) / name
            kept = swap_into(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BulletinRun(year, quarter, target, list(progress.steps), list(dict.fromkeys(warnings)), changes=changes,
                       compared_with=baseline.describe() if baseline else "", kept=kept)


def _summary(run: BulletinRun, progress: Progress, total: float) -> None:
    for w in run.warnings:
        progress.say(f"提示：{w}")
    if run.changes is not None:
        for line in change_lines(run.changes, run.compared_with):
            progress.say(line)
        progress.say(f"  （明细见 {run.folder / CHANGES}）")
    if run.kept is not None:
        progress.say(f"被替换的上一版本已完整保存到 {run.kept}")
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
                       params_file=getattr(args, "params", None), progress=progress,
                       allow_empty=getattr(args, "allow_empty", False))
    _summary(run, progress, time.perf_counter() - t0)
    return 0


def year_command(args: argparse.Namespace) -> int:
    """``python -m scoring year``: the quarters of the year (default: the latest year with adoption
    records) that have adoption records, in turn; the others are named as left out. One failing
    quarter does not stop the others; exit non-zero if any failed. The input is checked once first
    (bad input: exit 2)."""
    t0 = time.perf_counter()
    progress = Progress()
    rules_file = _rules_path(args)
    rules = load_rules(rules_file)
    with progress.step("检查输入数据"):
        data = load_dataset(args.data, rules)
    year = getattr(args, "year", None) or latest_year(data)
    if getattr(args, "year", None) is None:
        progress.say(f"年度：{year} 年（数据中最近的有录用记录的年度）")
    counts = adoption_counts(data, year)
    if not counts:
        raise ScoringError(f"{year} 年没有任何录用记录，不生成通报。{holdings(data)}。请用 --year 指定有数据的年度")
    quarters = sorted(counts)
    left_out = [q for q in (1, 2, 3, 4) if q not in counts]
    marker = is_sample(Path(args.data))
    shared = [*([sample_note(marker)] if marker else []), *data.notes,
              *located_notes(data, rules, year, None, Path(rules_file)), *undrawable_input(data)]
    for note in shared:
        progress.say(f"提示：{note}")
    skipped = "、".join(quarter_name(year, q) for q in left_out)
    progress.say(f"将生成 {len(quarters)} 个季度的通报：{'、'.join(quarter_name(year, q) for q in quarters)}"
                 + (f"；{skipped}没有录用记录，不生成" if left_out else ""))
    statements = getattr(args, "statements", "yes") == "yes"
    done: list[BulletinRun] = []
    failed: list[tuple[int, str]] = []
    for i, quarter in enumerate(quarters, 1):
        qp = Progress(label=f"[{year}Q{quarter}] ", stream=progress.stream)
        qp.say(f"=== {quarter_name(year, quarter)}（{i}/{len(quarters)}）===")
        try:
            run = run_bulletin(data_dir=Path(args.data), rules_file=rules_file, year=year, quarter=quarter,
                               out=Path(args.out), statements=statements, progress=qp, check_text=False)
        except ScoringError as err:
            failed.append((quarter, str(err)))
            qp.say(f"失败：{err}")
            continue
        run = dataclasses.replace(run, warnings=[w for w in run.warnings if w not in shared])
        done.append(run)
        _summary(run, qp, sum(t for _, t in run.steps))
    progress.say(f"全年完成 {len(done)}/{len(quarters)} 个有录用记录的季度，用时 {time.perf_counter() - t0:.1f} 秒。")
    if left_out:
        progress.say(f"  未生成：{skipped}（没有录用记录）")
    for quarter, why in failed:
        progress.say(f"  {quarter_name(year, quarter)}失败：{why}")
    return 1 if failed else 0
