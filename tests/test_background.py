"""scoring.background: a call run in a forked child gives back its value, or raises its error."""
from __future__ import annotations

import os

import pytest

from scoring import background


def _write_and_return(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return os.getpid()


def _fail(message):
    raise ValueError(message)


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


def _fail_unpicklably():
    raise _Unpicklable("写出失败")


def test_the_call_runs_in_another_process_and_its_value_comes_back(tmp_path):
    job = background.start(_write_and_return, tmp_path / "a.txt", "得分")
    child_pid = job.result()
    assert child_pid != os.getpid()
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "得分"
    assert job.result() == child_pid          # joined once, the value is kept


def test_the_childs_exception_is_raised_where_the_result_is_asked_for():
    job = background.start(_fail, "磁盘已满")
    with pytest.raises(ValueError, match="磁盘已满"):
        job.result()


def test_an_exception_that_cannot_travel_still_fails_with_its_message():
    job = background.start(_fail_unpicklably)
    with pytest.raises(background.BackgroundError, match="写出失败"):
        job.result()


def test_a_job_shows_no_memory_address():
    job = background.start(_write_and_return, os.devnull, "")
    assert repr(job) == "<background job _write_and_return>"
    job.result()

