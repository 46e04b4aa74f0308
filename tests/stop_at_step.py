"""``python tests/stop_at_step.py <scoring arguments>``: ``python -m scoring <arguments>`` run several times
in turn, each run stopped at a named step. The test's own wrapper: nothing in the scoring package
exists for it.

The plan, from the environment:

- ``STOP_PLAN``: a JSON list, one entry per run: ``{"step": <the start of a progress step's name, see
  scoring/run/bulletin.py, or null: run to the end>, "notebook": <a notebook to run instead of
  notebooks/quarterly_bulletin.ipynb, or null>}``.
- ``STOP_FLAGS``: a folder. When run ``i`` enters its step (the step's "… …" line printed, nothing of
  the step done yet), it writes its pid to ``<i>.stopped`` there and sleeps until a signal ends it:
  the test signals it exactly there, whatever the machine's speed (or, with ``"resume": true`` in its
  entry, the run goes on once the test writes ``<i>.resume``). When run ``i`` has ended, its exit
  status (negative: the signal) is written to ``<i>.status``; then run ``i + 1`` starts. ``<i>.started``
  holds its pid from its start (for a test that must clean up after a failure).

Each run is a child forked from this process once it has imported the package (so a run costs its
work, not the interpreter's start), in a session of its own (so a signal to its process group
reaches it and its helpers, as Ctrl-C in a terminal or a machine switched off does).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.rename(path)


def _child(argv: list[str], entry: dict, flag: Path) -> int:
    from scoring import cli
    from scoring.run import bulletin

    if entry.get("step"):
        real_step = bulletin.Progress.step

        @contextmanager
        def step(self, name: str):
            with real_step(self, name):
                if name.startswith(entry["step"]):
                    _write(flag, str(os.getpid()))
                    while True:              # until the test's signal ends the run
                        time.sleep(0.05)
                yield

        bulletin.Progress.step = step
    if entry.get("notebook"):
        bulletin.run_bulletin.__kwdefaults__["notebook"] = Path(entry["notebook"]).resolve()
    return cli.main(argv)


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    # Signals as a shell starts a command with: a test runner (pytest-xdist's workers) may start us
    # ignoring SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from scoring import cli  # noqa: F401  (imported once, before the runs are forked)
    from scoring.run import bulletin  # noqa: F401  (the command's own module: cli imports it only when it runs)

    plan = json.loads(os.environ["STOP_PLAN"])
    flags = Path(os.environ["STOP_FLAGS"])
    for i, entry in enumerate(plan):
        sys.stdout.flush(), sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setsid()
                code = _child(argv, entry, flags / f"{i}.stopped")
            except SystemExit as err:
                code = err.code if isinstance(err.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush(), sys.stderr.flush()
                os._exit(code)
        _write(flags / f"{i}.started", str(pid))
        _, status = os.waitpid(pid, 0)
        _write(flags / f"{i}.status", str(os.waitstatus_to_exitcode(status)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
