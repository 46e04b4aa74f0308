"""Work that runs beside the notebook's own: a forked child process, joined later.

The bulletin notebook writes scores.csv / ledger.csv / scores.xlsx and draws the charts; the two
need nothing from each other, and a run has two cores. :func:`start` forks (the child has the
Result already, nothing is pickled on the way in), runs the call there and sends back its value
or its exception; :meth:`Job.result` waits for it and raises the child's exception in the caller,
so a failure still fails the cell that asks for the result. Where fork is unavailable, the call
simply runs at once.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback
from typing import Any, Callable


class BackgroundError(RuntimeError):
    """The child failed with an exception that could not be sent back as itself."""


class Job:
    def __init__(self, name: str, pid: int | None, fd: int | None, value: Any = None,
                 error: BaseException | None = None):
        self.name = name
        self._pid, self._fd = pid, fd
        self._value, self._error = value, error

    def __repr__(self) -> str:            # no address: the executed notebook stays reproducible
        return f"<background job {self.name}>"

    def result(self) -> Any:
        """The call's return value; re-raises its exception. Waits for the child the first time."""
        if self._pid is not None:
            chunks = []
            with os.fdopen(self._fd, "rb") as pipe:
                while chunk := pipe.read(1 << 16):
                    chunks.append(chunk)
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            payload = b"".join(chunks)
            try:
                ok, obj = pickle.loads(payload)
            except Exception:
                ok, obj = False, BackgroundError(f"后台进程异常退出（状态 {os.waitstatus_to_exitcode(status)}）")
            if ok:
                self._value = obj
            else:
                self._error = obj
        if self._error is not None:
            raise self._error
        return self._value


def start(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Run ``fn(*args, **kwargs)`` in a forked child; returns a :class:`Job` to join."""
    name = getattr(fn, "__qualname__", repr(fn))
    if not hasattr(os, "fork"):
        try:
            return Job(name, None, None, value=fn(*args, **kwargs))
        except Exception as err:
            return Job(name, None, None, error=err)
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                      # the child
        code = 0
        try:
            os.close(read_fd)
            # A kernel's stdout/stderr are sockets served by threads that fork did not copy.
            sys.stdout = sys.stderr = open(os.devnull, "w")
            try:
                payload = pickle.dumps((True, fn(*args, **kwargs)))
            except BaseException as err:               # noqa: BLE001 - everything goes back
                code = 1
                try:
                    payload = pickle.dumps((False, err))
                except Exception:
                    payload = pickle.dumps((False, BackgroundError("".join(
                        traceback.format_exception_only(type(err), err)).strip())))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)                             # no atexit handlers of the parent's
    os.close(write_fd)
    return Job(name, pid, read_fd)
