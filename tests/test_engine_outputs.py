"""write_scores: scores.csv and ledger.csv exactly per the data contract."""
from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

from engine_support import event, item, items, run

from scoring.render.tables import write_scores

CONTRACT = ("unit_id,unit_name,category,year,quarter,key_points,info_points,carry_in,bonus,gross,carry_out,"
            "deductions,quarter_veto,annual_veto,reward,score,ytd_total,rank,ytd_rank")
LEDGER_HEAD = "unit_id,year,quarter,kind,ref,points,clause"


def _result():
    subs = [item("A", "Z01", "要闻动态", "溧阳市", "2023-03-10", title='标题, 含逗号与"引号"'),
            item("A", "Z01", "要闻动态", "常州市", "2023-04-10"),
            item("K", "Z02", "在线访谈", "常州市", "2023-02-01", late=True)] + \
        items("N", "Z03", "要闻动态", "溧阳市", "2023-02-01", 23)
    ev = [event("E1", "Z02", "2023-03-01", "content_error", note="错别字"),
          event("E2", "D01", "2023-05-01", "veto_quarter")]
    return run(subs, ev, quarter=2)


def test_scores_csv_starts_with_the_contract_columns_and_writes_plain_decimals(tmp_path):
    paths = write_scores(_result(), tmp_path)
    text = paths[0].read_bytes().decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert text.splitlines()[0].startswith(CONTRACT + ",")
    rows = list(csv.DictReader(text.splitlines()))
    z1q1 = next(r for r in rows if r["unit_id"] == "Z01" and r["quarter"] == "1")
    assert (z1q1["info_points"], z1q1["score"], z1q1["quarter_veto"]) == ("0.5", "0.5", "false")
    z1q2 = next(r for r in rows if r["unit_id"] == "Z01" and r["quarter"] == "2")
    assert (z1q2["info_points"], z1q2["ytd_total"]) == ("4.5", "5")
    d1q2 = next(r for r in rows if r["unit_id"] == "D01" and r["quarter"] == "2")
    assert d1q2["quarter_veto"] == "true"
    assert len(rows) == 10 * 2                         # every unit, every quarter


def test_ledger_csv_points_add_up_to_the_score_of_every_unit_and_quarter(tmp_path):
    scores_path, ledger_path = write_scores(_result(), tmp_path)
    lines = ledger_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(LEDGER_HEAD + ",")
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in csv.DictReader(ledger_path.read_text(encoding="utf-8").splitlines(keepends=True)):
        sums[(r["unit_id"], r["quarter"])] += Decimal(r["points"])
    for r in csv.DictReader(scores_path.read_text(encoding="utf-8").splitlines()):
        assert sums.get((r["unit_id"], r["quarter"]), Decimal(0)) == Decimal(r["score"]), r["unit_id"]


def test_a_title_with_a_comma_and_quotes_survives_the_round_trip(tmp_path):
    _, ledger_path = write_scores(_result(), tmp_path)
    rows = list(csv.DictReader(ledger_path.read_text(encoding="utf-8").splitlines(keepends=True)))
    assert any(r["title"] == '标题, 含逗号与"引号"' for r in rows)


def test_outputs_are_byte_identical_across_runs_and_leave_no_temporary_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    pa_, pb_ = write_scores(_result(), a), write_scores(_result(), b)
    assert [p.read_bytes() for p in pa_] == [p.read_bytes() for p in pb_]
    write_scores(_result(), a)                        # overwriting in place
    assert sorted(p.name for p in a.iterdir()) == ["ledger.csv", "scores.csv"]


def test_the_arrow_writer_and_the_pandas_writer_write_the_same_bytes(tmp_path, monkeypatch):
    import pyarrow as pa

    from scoring.render import tables as outputs
    frame = outputs.ledger_frame(_result()).drop(columns="title")      # no field needs quoting here
    outputs.write_csv(frame, tmp_path / "arrow.csv")

    def refuse(*a, **k):
        raise pa.ArrowInvalid("forced")
    monkeypatch.setattr(outputs.pcsv, "write_csv", refuse)
    outputs.write_csv(frame, tmp_path / "pandas.csv")
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_lone_carriage_return_is_written_as_a_line_feed_inside_quotes(tmp_path):
    import pandas as pd

    from scoring.render import tables as outputs
    frame = outputs.csv_frame(pd.DataFrame({"t": pd.Series(["a\rb", "c\r\nd"], dtype="string"), "n": [1, 2]}), ())
    outputs.write_csv(frame, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_bytes() == b't,n\n"a\nb",1\n"c\r\nd",2\n'

