"""The notebook's kernel, started before the run needs it (scoring.pipeline).

This module imports nothing heavy, so that ``python -m scoring bulletin`` can launch the kernel
first thing: the kernel boots and imports pandas, matplotlib and the scoring package on one core
while the run's own process imports and checks the input on the other.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the bulletin notebook imports, and the caches its first chart fills: loaded while the kernel
# starts, in parallel with the run's own input checks, instead of in the notebook's first cells.
KERNEL_PRELOAD = ("import IPython.display, pandas, scoring.background, scoring.bulletin, scoring.charts, scoring.engine, "
                  "scoring.loading, scoring.outputs, scoring.rules, scoring.workbook; "
                  "scoring.fonts.setup_matplotlib(); scoring.fonts.covered()")
# No input history: nothing written to ~/.ipython by a run, and no SQLite work at start or per cell.
KERNEL_ARGS = ("--HistoryManager.enabled=False",)
_KERNEL_NOISE = ("running over TCP without encryption",)


class WarmKernel:
    """A python3 kernel (cwd = repo root) launched before the run needs it.

    Starting a kernel and importing pandas, matplotlib and the scoring package takes seconds that
    the kernel process spends on its own: launched first, it does them while this process checks
    the input. The preload runs as the kernel's ``exec_lines`` (no history, no execution count),
    so the executed notebook is the same as with a fresh kernel. The kernel's stderr goes to a
    temporary file, passed on (less known noise) by :meth:`stderr_lines`.
    """

    def __init__(self, preload: str = KERNEL_PRELOAD) -> None:
        from jupyter_client.manager import KernelManager

        class _Manager(KernelManager):
            # papermill (nbclient) drives the kernel with an asyncio client; this manager stays
            # synchronous so that starting and killing need no event loop of ours.
            client_class = "jupyter_client.asynchronous.AsyncKernelClient"

            def client(self, **kwargs):
                kc = super().client(**kwargs)
                clients.append(kc)
                return kc

        clients: list = []
        self._clients = clients
        self._stderr = tempfile.TemporaryFile()
        self.km = _Manager(kernel_name="python3")
        self.km.start_kernel(cwd=str(ROOT), stderr=self._stderr,
                             extra_arguments=[*KERNEL_ARGS, *([f"--IPKernelApp.exec_lines={preload}"] if preload else [])])

    def stderr_lines(self) -> list[str]:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        self._stderr.seek(0, 2)
        return [ln for ln in text.splitlines() if ln.strip() and not any(n in ln for n in _KERNEL_NOISE)]

    def shutdown(self) -> None:
        """Kill the kernel (every output it writes is written by the time the notebook has run)."""
        if self._stderr.closed:
            return
        for kc in self._clients:
            try:
                kc.stop_channels()
            except Exception:       # a client papermill already closed
                pass
        self._clients.clear()
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        finally:
            self._stderr.close()


def lean_imports() -> None:
    """jsonschema (under nbformat, under papermill and nbconvert) compiles 39 lark grammars at
    import when the optional rfc3987_syntax is installed, only to check the "iri" string format,
    which no notebook schema uses: ≈1.7 s of every run. The command's process goes without it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)   # `import rfc3987_syntax` → ImportError
