"""The main job: ``python -m scoring bulletin`` (one quarter) and ``year`` (four quarters).

validate input → papermill (the notebook scores, draws the charts and renders the sections;
meanwhile this process warms the renderers, and scores too when statements are wanted) →
nbconvert → bulletin.html → WeasyPrint → bulletin.pdf (meanwhile a forked child scores, writes
scores.csv / ledger.csv / scores.xlsx — the notebook's own writing of them is switched off with
write_tables=False — and bulletin.docx, subsets the fonts the HTML embeds and checks the input text
for characters the fonts lack) → unit statements →
manifest.json, all in a staging folder beside the target, swapped into ``OUT/<Y>Q<Q>`` only when
every step succeeded. A failed run leaves the previous output untouched; bad input writes nothing
at all; a run killed in the middle of the swap gets the previous output back on the next run.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import errno
import gc
import os
import re
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from .errors import InputError, ScoringError
from .kernel import ROOT, WarmKernel, lean_imports
NOTEBOOK = ROOT / "notebooks" / "quarterly_bulletin.ipynb"
PARAMS_DIR = ROOT / "params"
QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
ISSUER = "溧阳市大数据管理局"
# Keys a params/<Y>Q<Q>.yaml may hold: the notebook's parameters (docs/ARCHITECTURE.md).
PARAM_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "issue_number",
              "issue_date", "doc_number", "cc", "next_steps", "issuer")
# The run decides these from its command line; a params file's values are for plain papermill use.
RUN_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables")


class RunError(ScoringError):
    """A step of the run failed (not the user's input): exit status 1."""

    exit_code = 1


# ---- quarter and parameters ---------------------------------------------------------------------------
def parse_quarter(text: str) -> tuple[int, int]:
    """'2023Q3' (also '2023q3', '2023-Q3') → (2023, 3)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-_ ]?[Qq]\s*([1-4])\s*", text or "")
    if not m:
        raise ScoringError(f"季度「{text}」格式不对：应写作 年份Q季度，如 2023Q3")
    return int(m.group(1)), int(m.group(2))


def latest_quarter(data) -> tuple[int, int]:
    """The latest quarter with data (an adoption or an event) in the last year of the data."""
    import pandas as pd

    dates = pd.concat([data.submissions["adopted_on"], data.events["date"]], ignore_index=True).dropna()
    if dates.empty:
        raise ScoringError("数据中没有任何录用记录或扣分事项，无法确定要通报的季度，请用 --quarter 指定（如 2023Q3）")
    year = int(dates.dt.year.max())
    quarter = int(dates[dates.dt.year == year].dt.quarter.max())
    return year, quarter


def default_issue_date(year: int, quarter: int) -> dt.date:
    """The 10th of the month after the quarter (data contract; never today)."""
    month = quarter * 3 + 1
    return dt.date(year + 1, 1, 10) if month > 12 else dt.date(year, month, 10)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip("\n") if isinstance(value, str) else str(value)


def bulletin_params(year: int, quarter: int, params_file: Path | None = None) -> tuple[dict[str, str], Path | None]:
    """The bulletin's parameters: from ``params_file`` or params/<Y>Q<Q>.yaml when present, else the
    contract's defaults (issue number = the quarter's number, issue date = 10th of the next month)."""
    out: dict[str, str] = {"issue_number": str(quarter), "issue_date": default_issue_date(year, quarter).isoformat(),
                           "doc_number": "", "cc": "", "next_steps": "", "issuer": ISSUER}
    path = Path(params_file) if params_file else PARAMS_DIR / f"{year}Q{quarter}.yaml"
    if params_file and not path.exists():
        raise ScoringError(f"找不到通报参数文件：{path}")
    if not path.exists():
        return out, None
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ScoringError(f"通报参数文件 {path} 无法读取：{err}") from None
    if not isinstance(loaded, dict):
        raise ScoringError(f"通报参数文件 {path} 的顶层须为「键: 值」")
    unknown = sorted(set(loaded) - set(PARAM_KEYS))
    if unknown:
        raise ScoringError(f"通报参数文件 {path} 有未知的键 {'、'.join(map(str, unknown))}；可用的键：{'、'.join(PARAM_KEYS)}")
    for key in ("year", "quarter"):
        if key in loaded and int(loaded[key]) != (year if key == "year" else quarter):
            raise ScoringError(f"通报参数文件 {path} 写的是 {loaded.get('year')}年第{loaded.get('quarter')}季度，"
                               f"与要生成的 {year}Q{quarter} 不符")
    for key, value in loaded.items():
        if key not in RUN_KEYS:
            out[key] = _as_text(value)
    try:
        dt.date.fromisoformat(out["issue_date"])
    except ValueError:
        raise ScoringError(f"通报参数文件 {path} 的 issue_date「{out['issue_date']}」不是 YYYY-MM-DD 格式的日期") from None
    return out, path


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


# ---- staging and swap ---------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftover_pid(path: Path) -> int | None:
    m = re.search(r"-(\d+)$", path.name)
    return int(m.group(1)) if m and path.is_dir() else None


def clean_leftovers(out: Path) -> list[Path]:
    """Remove staging / swapped-out folders of runs that were killed (their process is gone).

    A run killed between the two renames of :func:`swap_into`'s fallback left its target
    swapped out as ``.<name>.old-<pid>`` and no ``<name>``: that folder is the previous output,
    so it is put back (the newest such folder when there are several) before the rest go.
    """
    dead = [p for p in sorted(out.glob(".*.partial-*")) + sorted(out.glob(".*.old-*"))
            if (pid := _leftover_pid(p)) is not None and not _alive(pid)]
    olds: dict[str, list[Path]] = {}
    for p in dead:
        m = re.fullmatch(r"\.(.+)\.old-\d+", p.name)
        if m:
            olds.setdefault(m.group(1), []).append(p)
    restored = set()
    for name, swapped_out in sorted(olds.items()):
        target = out / name
        if not target.exists():
            newest = max(swapped_out, key=lambda p: (p.lstat().st_ctime_ns, p.name))
            newest.rename(target)
            restored.add(newest)
    removed = []
    for p in dead:
        if p not in restored:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


RENAME_EXCHANGE = 2          # linux/fs.h
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot, so the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap_into(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``, replacing an existing folder whole.

    Where renameat2 exists the two folders trade places in one step (no moment without a
    target); elsewhere rename target → ``.<name>.old-<pid>``, rename staging → target, which
    :func:`clean_leftovers` undoes if the run dies between the two. Then the old folder goes.
    """
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)          # now the previous output
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)          # put the previous output back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _rel(path: Path) -> str:
    """A path as the notebook sees it (cwd = repo root): relative inside the repo, else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return p.as_posix()


# ---- the steps -------------------------------------------------------------------------------------
def execute_notebook(notebook: Path, executed: Path, parameters: Mapping[str, Any], progress: Progress,
                     kernel: WarmKernel | None = None):
    """Run the notebook with papermill in-process (cwd = repo root) on ``kernel`` (a fresh
    :class:`WarmKernel` when None; shut down afterwards either way); a failing cell → RunError."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    kernel = kernel or WarmKernel()
    try:
        # request_save_on_cell_execute=False: papermill would otherwise rewrite the whole executed
        # notebook (a megabyte and more, with the charts' pictures) before and after every cell,
        # ≈1 s a run; it is written once at the end (and on a failing cell) all the same.
        nb = pm.execute_notebook(str(notebook), str(executed), parameters=dict(parameters),
                                 kernel_name="python3", cwd=str(ROOT), progress_bar=False,
                                 request_save_on_cell_execute=False,
                                 log_output=False, report_mode=False, km=kernel.km)
    except PapermillExecutionError as err:
        where = f"第 {err.exec_count} 个代码单元格" if err.exec_count else f"第 {err.cell_index + 1} 个单元格"
        raise RunError(f"通报笔记本 {_rel(notebook)} {where}执行失败：{err.ename}：{err.evalue}。"
                       "原有输出未改动。") from None
    except FileNotFoundError as err:
        raise RunError(f"找不到通报笔记本：{err.filename or notebook}") from None
    finally:
        for line in kernel.stderr_lines():
            progress.say(f"  内核：{line}")
        kernel.shutdown()
    return nb


def _stderr_of(nb) -> list[str]:
    """Lines the notebook's cells printed on stderr (warnings such as 〓 replacements)."""
    lines: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines.extend(t for t in str(out.get("text", "")).splitlines() if t.strip())
    return list(dict.fromkeys(lines))


# Input text the bulletin prints: a character the bundled fonts lack becomes 〓 there, and the run
# says where it came from (bulletin spec, "Look").
PRINTED_TEXT = {"units": ("unit_name", "informant"), "submissions": ("title", "informant"), "events": ("note",)}


def undrawable_input(data) -> list[str]:
    """「文件，第 n 行，列「…」：字符 … 无法用内置字体显示，已印作「〓」」 for every cell of printed input
    text holding a character the bundled fonts cannot draw (fonts.drawable_frame)."""
    from .fonts import drawable_frame

    warnings: list[str] = []
    for table, columns in PRINTED_TEXT.items():
        warnings += drawable_frame(getattr(data, table), columns)[1]
    return warnings


class _Beside:
    """A call run in a thread, started now and joined later (its exception re-raised then)."""

    def __init__(self, fn, *args) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def work() -> None:
            try:
                self._value = fn(*args)
            except BaseException as err:        # noqa: BLE001 - handed to the joiner
                self._error = err

        self._thread = threading.Thread(target=work, name="bulletin-result", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _beside_the_pdf(html: str, data, rules, year: int, quarter: int, result, params: Mapping[str, str],
                    images: Mapping[str, bytes], folder: Path, check_text: bool) -> tuple[str, list[str]]:
    """In a forked child while this process lays out the PDF (neither needs the other, and the run
    has two cores, which the notebook kept busy until now): the run's own Result (``result``, or
    scored here when None); scores.csv, ledger.csv and scores.xlsx from it (the notebook runs with
    write_tables=False); bulletin.docx; bulletin.html's fonts subset to its characters; the
    warnings for input text the fonts cannot draw. Returns the HTML with its fonts embedded and
    those warnings."""
    from .docx_export import write_bulletin_docx
    from .engine import score
    from .render import embed_fonts
    from .workbook import write_outputs

    result = result if result is not None else score(data, rules, year=year, quarter=quarter)
    write_outputs(result, folder)
    write_bulletin_docx(result, params, folder / "bulletin.docx", charts=images)
    return embed_fonts(html), (undrawable_input(data) if check_text else [])


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """Leave what the run holds so far (modules, data, the notebook) out of the garbage collector's
    passes for a while: WeasyPrint makes millions of short-lived objects, and every full pass
    would walk the whole heap again (≈10 % of the PDF's time). Unfrozen afterwards, so nothing is
    kept past its use in a long-lived process (the tests, the year command)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _join_quietly(job) -> None:
    """Wait for a background job whose outcome no longer matters (the run is failing anyway)."""
    try:
        job.result()
    except Exception:  # noqa: BLE001, S110 - the run's own error is the one reported
        pass


def _statements(result, folder: Path, params: Mapping[str, str]) -> list[str]:
    """The unit statements (scoring.statements.render_all) from the run's Result; returns their
    warnings (a 〓 replacement, a WeasyPrint note), reported with the run's own."""
    from . import statements

    warnings: list[str] = []
    statements.render_all(result, folder, progress=sys.stderr.isatty(), issuer=params.get("issuer") or None,
                          issue_date=params.get("issue_date"), warnings_out=warnings)
    return warnings


@dataclass
class BulletinRun:
    year: int
    quarter: int
    folder: Path
    steps: list[tuple[str, float]]
    warnings: list[str]


def bulletin_title(year: int, quarter: int) -> str:
    return f"溧阳市人民政府门户网站内容保障{year}年{QUARTER_ZH[quarter]}通报"


def run_bulletin(*, data_dir: Path, rules_file: Path, year: int, quarter: int, out: Path,
                 statements: bool = True, params_file: Path | None = None, notebook: Path = NOTEBOOK,
                 data=None, rules=None, progress: Progress | None = None,
                 kernel: WarmKernel | None = None, check_text: bool = True) -> BulletinRun:
    """One quarter's bulletin into ``out/<Y>Q<Q>`` (see module docstring). Raises ScoringError.

    ``kernel``: a :class:`WarmKernel` started earlier for this run (it is shut down either way).
    ``check_text``: warn about input characters the fonts cannot draw (False: the caller did).
    """
    try:
        return _run_bulletin(data_dir=data_dir, rules_file=rules_file, year=year, quarter=quarter, out=out,
                             statements=statements, params_file=params_file, notebook=notebook, data=data,
                             rules=rules, progress=progress, kernel=kernel, check_text=check_text)
    finally:
        if kernel is not None:
            kernel.shutdown()          # not reached by the notebook (bad input, parameters)


def _run_bulletin(*, data_dir, rules_file, year, quarter, out, statements, params_file, notebook, data, rules,
                  progress, kernel, check_text) -> BulletinRun:
    from . import background
    from . import rules as rules_mod
    from .loading import load_dataset
    from .engine import score
    from .manifest import build_manifest, write_manifest
    from .render import chart_images, html_to_pdf, notebook_to_html, prewarm

    progress = progress or Progress()
    rules = rules or rules_mod.load(rules_file)
    if data is None:
        with progress.step("检查输入数据"):
            data = load_dataset(data_dir, rules)
    params, params_path = bulletin_params(year, quarter, params_file)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    name = f"{year}Q{quarter}"
    staging = out / f".{name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    warnings: list[str] = list(data.notes)
    try:
        nb_params = {"year": year, "quarter": quarter, "data_dir": _rel(data_dir), "rules_file": _rel(rules_file),
                     "output_dir": _rel(staging), "write_tables": False, **params}
        # This process waits on the kernel meanwhile: it warms the renderers and, for the
        # statements, scores too. The notebook phase keeps both cores busy, so nothing else
        # is done here that can wait for the PDF's phase (see _beside_the_pdf).
        warming = prewarm()
        scoring = _Beside(score, data, rules, year, quarter) if statements else None
        try:
            with progress.step("执行通报笔记本（计分、图表、通报各部分）"):
                nb = execute_notebook(notebook, staging / "bulletin.ipynb", nb_params, progress, kernel)
        finally:
            warming.join()
            if scoring is not None:
                scoring.join()         # no thread of a failed run is left running (a later fork)
        warnings += _stderr_of(nb)
        title = bulletin_title(year, quarter)
        images = chart_images(nb)
        with progress.step("生成 bulletin.html"):
            html = notebook_to_html(nb, title, date=params["issue_date"], author=params.get("issuer") or ISSUER,
                                    embed=False)
        # Not niced: on a shared machine a niced child starves behind others' work (8.5 s once).
        result = scoring.result() if scoring is not None else None
        beside = background.start(_beside_the_pdf, html, data, rules, year, quarter, result, params, images,
                                  staging, check_text)
        try:
            with progress.step("生成 bulletin.pdf"), _old_objects_frozen():
                warnings += html_to_pdf(html, staging / "bulletin.pdf", base_url=staging)
        except BaseException:
            _join_quietly(beside)          # it writes into the staging folder removed below
            raise
        with progress.step("写出 scores.csv / ledger.csv / scores.xlsx、bulletin.docx，bulletin.html 嵌入字体"):
            html, text_warnings = beside.result()
        warnings += text_warnings
        (staging / "bulletin.html").write_text(html, encoding="utf-8")
        if scoring is not None:
            with progress.step("生成各单位得分明细单"):
                warnings += _statements(result, staging, params)
        with progress.step("写出 manifest.json"):
            inputs = [Path(p) for p in data.files]
            manifest = build_manifest(inputs=inputs, rules_file=Path(rules_file),
                                      parameters={**nb_params, "output_dir": _rel(out / name),
                                                  "params_file": _rel(params_path) if params_path else "",
                                                  "notebook": _rel(notebook), "statements": statements},
                                      output_dir=staging, root=ROOT)
            write_manifest(manifest, staging)
        target = out / name
        swap_into(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BulletinRun(year, quarter, target, list(progress.steps), list(dict.fromkeys(warnings)))


def _summary(run: BulletinRun, progress: Progress, total: float) -> None:
    for w in run.warnings:
        progress.say(f"提示：{w}")
    files = sorted(p.relative_to(run.folder).as_posix() for p in run.folder.iterdir())
    progress.say(f"{run.year}年{QUARTER_ZH[run.quarter]}通报已生成：{run.folder}")
    progress.say("  文件：" + "、".join(files))
    progress.say("  用时：" + "；".join(f"{n.split('（')[0]} {t:.1f} 秒" for n, t in run.steps) + f"；合计 {total:.1f} 秒")


# ---- commands --------------------------------------------------------------------------------------
def _rules_path(args: argparse.Namespace) -> Path:
    from . import rules as rules_mod

    return Path(args.rules) if getattr(args, "rules", None) else rules_mod.DEFAULT_RULES


def bulletin_command(args: argparse.Namespace) -> int:
    """``python -m scoring bulletin``: validate first (InputError → exit 2, nothing written)."""
    lean_imports()
    t0 = time.perf_counter()
    progress = Progress()
    kernel = WarmKernel()             # boots while the input is checked; killed if that fails
    try:
        from . import rules as rules_mod       # pandas and the rest: imported while the kernel boots
        from .loading import load_dataset

        rules_file = _rules_path(args)
        rules = rules_mod.load(rules_file)
        with progress.step("检查输入数据"):
            data = load_dataset(args.data, rules)
        year, quarter = parse_quarter(args.quarter) if args.quarter else latest_quarter(data)
    except BaseException:
        kernel.shutdown()
        raise
    progress.say(f"通报季度：{year}年{QUARTER_ZH[quarter]}" + ("" if args.quarter else "（数据中最近一年的最后一个有数据的季度）"))
    run = run_bulletin(data_dir=args.data, rules_file=rules_file, year=year, quarter=quarter, out=args.out,
                       statements=args.statements == "yes", params_file=getattr(args, "params", None),
                       data=data, rules=rules, progress=progress, kernel=kernel)
    _summary(run, progress, time.perf_counter() - t0)
    return 0


def year_command(args: argparse.Namespace) -> int:
    """``python -m scoring year``: the four quarters in turn; one failing quarter does not stop the
    others; exit non-zero if any failed."""
    lean_imports()
    t0 = time.perf_counter()
    progress = Progress()
    kernel = WarmKernel()             # the first quarter's; each quarter starts the next one's
    try:
        from . import rules as rules_mod
        from .loading import load_dataset

        rules_file = _rules_path(args)
        rules = rules_mod.load(rules_file)
        with progress.step("检查输入数据"):
            data = load_dataset(args.data, rules, year=args.year)
    except BaseException:
        kernel.shutdown()
        raise
    for note in [*data.notes, *undrawable_input(data)]:
        progress.say(f"提示：{note}")
    data = dataclasses.replace(data, notes=())     # printed once, not once per quarter
    statements = getattr(args, "statements", "yes") == "yes"
    done: list[BulletinRun] = []
    failed: list[tuple[int, str]] = []
    for quarter in (1, 2, 3, 4):
        qp = Progress(label=f"[{args.year}Q{quarter}] ", stream=progress.stream)
        qp.say(f"=== {args.year}年{QUARTER_ZH[quarter]}（{quarter}/4）===")
        this, kernel = kernel, (WarmKernel() if quarter < 4 else None)
        try:
            run = run_bulletin(data_dir=args.data, rules_file=rules_file, year=args.year, quarter=quarter,
                               out=args.out, statements=statements, data=data, rules=rules, progress=qp,
                               kernel=this, check_text=False)
        except ScoringError as err:
            failed.append((quarter, str(err)))
            qp.say(f"失败：{err}")
            continue
        except BaseException:
            if kernel is not None:
                kernel.shutdown()
            raise
        finally:
            this.shutdown()
        done.append(run)
        _summary(run, qp, sum(t for _, t in run.steps))
    progress.say(f"全年完成 {len(done)}/4 个季度，用时 {time.perf_counter() - t0:.1f} 秒。")
    for quarter, why in failed:
        progress.say(f"  {args.year}年{QUARTER_ZH[quarter]}失败：{why}")
    return 1 if failed else 0
