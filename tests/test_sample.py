"""The bundled sample data (data/sample, data/sample-workbook): reproducible, and shaped as promised.

The shape tests read the committed files with their own small parser (csv module, the five date
spellings of the data contract), not with the generator's internals, so they check what a user
gets. The loader tests run when scoring.loading exists.
"""
from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
WORKBOOK_DIR = ROOT / "data" / "sample-workbook"
SCRIPT = ROOT / "scripts" / "make_sample.py"
TABLES = ("units", "submissions", "events", "targets")
WS = " \u3000"


def _generator():
    if "make_sample" not in sys.modules:      # dataclasses look their module up in sys.modules
        spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["make_sample"] = mod
        spec.loader.exec_module(mod)
    return sys.modules["make_sample"]


def _generate(tmp: Path, seed: int = 2023) -> dict[str, bytes]:
    out_csv, out_xlsx = tmp / "csv", tmp / "xlsx"
    assert _generator().main(["--seed", str(seed), "--out-csv", str(out_csv), "--out-xlsx", str(out_xlsx)]) == 0
    files = {p.relative_to(tmp).as_posix(): p.read_bytes() for p in sorted(tmp.rglob("*")) if p.is_file()}
    assert files, "the generator wrote nothing"
    return files


def _committed() -> dict[str, bytes]:
    files = {f"csv/{p.relative_to(SAMPLE).as_posix()}": p.read_bytes() for p in sorted(SAMPLE.rglob("*")) if p.is_file()}
    files.update({f"xlsx/{p.relative_to(WORKBOOK_DIR).as_posix()}": p.read_bytes()
                  for p in sorted(WORKBOOK_DIR.rglob("*")) if p.is_file()})
    return files


# ---- reading the committed CSV form -----------------------------------------------------------
ENCODING = {"events": "gb18030"}   # documented in data/sample/README.md


def _rows(table: str) -> list[dict[str, str]]:
    text = (SAMPLE / f"{table}.csv").read_bytes().decode(ENCODING.get(table, "utf-8"))
    return [{k: (v or "").strip(WS) for k, v in r.items()} for r in csv.DictReader(io.StringIO(text))]


DATE_PATTERNS = (r"^(\d{4})-(\d{2})-(\d{2})$", r"^(\d{4})/(\d{1,2})/(\d{1,2})$", r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$",
                 r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"^(\d{4})(\d{2})(\d{2})$")


def _spelling(text: str) -> int:
    for i, pat in enumerate(DATE_PATTERNS):
        if re.match(pat, text):
            return i
    raise AssertionError(f"unexpected date spelling {text!r}")


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    y, m, d = re.match(DATE_PATTERNS[_spelling(text)], text).groups()
    return dt.date(int(y), int(m), int(d))


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    return {t: _rows(t) for t in TABLES}


@pytest.fixture(scope="module")
def resolve(tables):
    """A unit cell pair (id, name or alias) → unit id, as the data contract allows."""
    ref: dict[str, str] = {}
    for u in tables["units"]:
        ref[u["unit_id"]] = u["unit_id"]
        ref[u["unit_name"]] = u["unit_id"]
        for alias in filter(None, re.split("[;、]", u["aliases"])):
            ref[alias.strip(WS)] = u["unit_id"]

    def unit(row: dict[str, str]) -> str:
        return ref[row["unit_id"]] if row["unit_id"] else ref[row["unit_name"]]
    return unit


@pytest.fixture(scope="module")
def canon(rules):
    return {k: rules.alias_map(k) for k in ("column", "level", "event")}


@pytest.fixture(scope="module")
def items(tables, resolve, canon):
    """record_id → its adoption rows, resolved (unit id, column key, level key, dates, late)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for r in tables["submissions"]:
        sub, due = _date(r["submitted_on"]), _date(r["due_on"])
        late = r["late"] == "是" if r["late"] else bool(sub and due and sub > due)
        out[r["record_id"]].append(dict(unit=resolve(r), column=canon["column"][r["column"]],
                                        level=canon["level"][r["level"]], adopted=_date(r["adopted_on"]),
                                        late=late, solicited=r["solicited"]))
    return out


# ---- reproducibility --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fresh(shared) -> dict[str, bytes]:
    """The files of one generation (made once per test session)."""
    folder = shared("fresh_sample", _generate)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".shared-")}


def test_another_seed_gives_other_data():
    # Guards the test below: the seed must reach the data, or "same bytes" proves nothing.
    a, b = _generator().build(2023), _generator().build(7)
    assert [u["informant"] for u in a["units"]] != [u["informant"] for u in b["units"]]
    assert [r["title"] for r in a["submissions"]] != [r["title"] for r in b["submissions"]]


def test_the_committed_sample_is_what_the_generator_makes(fresh):
    # Also the generator's determinism: the committed files came from another process (another hash
    # seed, another day), and this run must give the same bytes.
    committed = _committed()
    assert sorted(committed) == sorted(fresh), "committed files differ in name from a fresh generation"
    assert [k for k in fresh if fresh[k] != committed[k]] == [], "run: python scripts/make_sample.py"


def test_each_dataset_folder_holds_one_form_only():
    # Besides one form of the data: the README, the sample marker and the quarters' parameters.
    assert {p.suffix for p in SAMPLE.iterdir() if p.is_file()} == {".csv", ".md", ".txt"}
    assert [p.name for p in SAMPLE.iterdir() if p.is_dir()] == ["params"]
    assert sorted(p.suffix for p in WORKBOOK_DIR.iterdir()) == [".txt", ".xlsx"]


def test_csv_files_use_unix_line_endings_and_no_bom_and_events_is_gb18030():
    for t in TABLES:
        raw = (SAMPLE / f"{t}.csv").read_bytes()
        assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf"), t
    raw = (SAMPLE / "events.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                  # really GB18030, not UTF-8 by accident
    assert "涉密信息上网" in raw.decode("gb18030")


# ---- units ------------------------------------------------------------------------------------
def test_the_register_has_16_towns_35_departments_and_8_mass_organisations(tables):
    # The brief: 3 streets + 9 towns + 4 zones = 16; about 35 departments; 8 mass organisations.
    cats = Counter(u["category"] for u in tables["units"])
    assert cats == {"镇区街道": 16, "市级机关部门": 35, "群团": 8}
    names = [u["unit_name"] for u in tables["units"]]
    for name in ("昆仑街道", "溧城街道", "古县街道", "天目湖镇", "溧阳高新区", "现代农业产业示范园",
                 "市公安局", "市大数据管理局", "市总工会", "团市委", "市侨联"):
        assert name in names
    assert len(set(names)) == len(names)


def test_unit_ids_are_numeric_looking_strings_with_leading_zeros(tables):
    ids = [u["unit_id"] for u in tables["units"]]
    assert all(re.fullmatch(r"0[123]\d\d", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert sorted(ids) == ids


def test_some_units_have_two_informants_some_none_and_some_aliases(tables):
    informants = [u["informant"] for u in tables["units"]]
    assert sum("、" in i for i in informants) >= 3
    assert sum(i == "" for i in informants) >= 1
    aliases = [u["aliases"] for u in tables["units"] if u["aliases"]]
    assert len(aliases) >= 15
    assert any(";" in a for a in aliases) and any("、" in a for a in aliases)


# ---- submissions ------------------------------------------------------------------------------
def test_a_year_of_adoptions_is_between_2000_and_5000_rows(tables):
    rows = tables["submissions"]
    assert 2000 <= len(rows) <= 5000
    years = Counter(_date(r["adopted_on"]).year for r in rows)
    assert set(years) == {2022, 2023}
    assert 1 <= years[2022] <= 10                             # "a handful" of December 2022 rows
    assert all(_date(r["adopted_on"]).month == 12 for r in rows if _date(r["adopted_on"]).year == 2022)
    quarters = Counter((_date(r["adopted_on"]).month - 1) // 3 + 1 for r in rows if _date(r["adopted_on"]).year == 2023)
    assert all(quarters[q] > 300 for q in (1, 2, 3, 4))


def test_dates_mix_all_five_spellings_and_are_in_order(tables):
    rows = tables["submissions"]
    spellings = Counter(_spelling(r["adopted_on"]) for r in rows)
    assert set(spellings) == {0, 1, 2, 3, 4}
    dates = [_date(r["adopted_on"]) for r in rows]
    assert dates == sorted(dates)


def test_units_are_named_by_id_by_name_and_by_alias(tables):
    rows = tables["submissions"]
    names = {u["unit_name"] for u in tables["units"]}
    aliases = {a.strip(WS) for u in tables["units"] for a in re.split("[;、]", u["aliases"]) if a}
    assert sum(1 for r in rows if r["unit_id"] and not r["unit_name"]) > 100
    assert sum(1 for r in rows if not r["unit_id"] and r["unit_name"] in names) > 100
    assert sum(1 for r in rows if not r["unit_id"] and r["unit_name"] in aliases) > 100
    assert sum(1 for r in tables["events"] if not r["unit_id"] and r["unit_name"] in aliases) >= 1


def test_some_values_carry_full_width_spaces():
    text = (SAMPLE / "submissions.csv").read_text(encoding="utf-8")
    assert 10 <= text.count("\u3000") <= 400


def test_columns_and_levels_are_distributed_like_a_real_year(tables, canon):
    rows = tables["submissions"]
    col = Counter(canon["column"][r["column"]] for r in rows)
    lv = Counter(canon["level"][r["level"]] for r in rows)
    n = len(rows)
    assert (col["要闻动态"] + col["重点领域"]) / n > 0.9        # mostly the two information columns
    assert col["要闻动态"] > col["重点领域"]
    assert set(col) == set(canon["column"].values())          # every column of the table occurs
    assert 1 <= col["在线访谈"] <= 15 and 1 <= col["网上直播"] <= 15
    assert 0.01 < lv["常州市"] / n < 0.08                      # 常州市 uncommon
    assert 5 <= lv["江苏省"] <= 40                              # 江苏省 rare
    spelled = Counter(r["column"] for r in rows)
    assert spelled["政策解读"] > 0 and spelled["问卷调查"] > 0 and spelled["政策简明问答图解"] > 0


def test_items_adopted_at_two_levels_share_a_record_id_and_some_are_upgraded_later(items):
    multi = {rid: rows for rid, rows in items.items() if len(rows) > 1}
    assert len(multi) > 50
    for rows in multi.values():
        assert len({r["level"] for r in rows}) == len(rows)   # one row per adoption
        assert len({(r["unit"], r["column"]) for r in rows}) == 1
    upgrades = [rows for rows in multi.values()
                if len({(r["adopted"].year, (r["adopted"].month - 1) // 3) for r in rows}) > 1]
    assert len(upgrades) >= 10
    # An item first adopted in December 2022 and upgraded in 2023 (R2: earlier years count as earned).
    assert any({r["adopted"].year for r in rows} == {2022, 2023} for rows in multi.values())


def test_late_items_are_marked_or_given_by_dates_and_a_no_overrides_the_dates(tables):
    rows = tables["submissions"]
    marked = [r for r in rows if r["late"] == "是"]
    by_dates = [r for r in rows if not r["late"] and r["due_on"] and _date(r["submitted_on"]) > _date(r["due_on"])]
    overridden = [r for r in rows if r["late"] == "否" and r["due_on"] and _date(r["submitted_on"]) > _date(r["due_on"])]
    assert len(marked) >= 5 and len(by_dates) >= 5 and len(overridden) >= 1
    assert len(marked) + len(by_dates) < 0.05 * len(rows)


def test_solicited_is_mostly_empty_and_given_only_on_province_rows(tables, canon):
    given = [r for r in tables["submissions"] if r["solicited"]]
    assert given and all(canon["level"][r["level"]] == "江苏省" for r in given)
    assert {r["solicited"] for r in given} == {"是", "否"}
    assert len(given) < 0.01 * len(tables["submissions"])


def test_every_row_of_the_year_names_an_informant_or_leaves_it_empty(tables):
    informants = [r["informant"] for r in tables["submissions"]]
    assert 0.03 < informants.count("") / len(informants) < 0.3
    assert any("、" in i for i in informants)


# ---- events and targets -----------------------------------------------------------------------
def test_every_event_type_occurs_written_as_code_and_as_chinese(tables, canon, resolve, rules):
    rows = tables["events"]
    types = Counter(canon["event"][r["type"]] for r in rows)
    assert set(types) == set(rules.events)
    assert any(r["type"] in rules.events for r in rows) and any(r["type"] not in rules.events for r in rows)
    assert all(r["note"] for r in rows)
    assert any(r["count"] and int(r["count"]) > 1 for r in rows)


def test_vetoes_of_both_kinds_and_events_spread_over_the_quarters(tables, canon):
    rows = [r for r in tables["events"] if _date(r["date"]).year == 2023]
    kinds = Counter(canon["event"][r["type"]] for r in rows)
    assert kinds["veto_quarter"] >= 1 and kinds["veto_classified"] >= 1
    assert {(_date(r["date"]).month - 1) // 3 + 1 for r in rows} == {1, 2, 3, 4}
    assert any(_date(r["date"]).year == 2022 for r in tables["events"])


def _targets(tables, resolve, canon):
    out = defaultdict(dict)
    for r in tables["targets"]:
        assert r["year"] == "2023"
        out[resolve(r)][canon["column"][r["column"]]] = int(r["target"])
    return out


def _done(items, on_time_only: bool):
    """R12: items of the column first adopted in the year (R13(a): only those on time)."""
    done = Counter()
    for rows in items.values():
        first = min(rows, key=lambda r: r["adopted"])
        late = any(r["late"] for r in rows)
        if first["adopted"].year == 2023 and not (on_time_only and late):
            done[(first["unit"], first["column"])] += 1
    return done


def test_targets_cover_one_to_three_columns_and_two_or_three_units_miss(tables, items, resolve, canon):
    targets = _targets(tables, resolve, canon)
    assert len(targets) > 40
    assert all(1 <= len(cols) <= 3 for cols in targets.values())
    done = _done(items, on_time_only=False)
    missed = {u for u, cols in targets.items() if any(done[(u, c)] < n for c, n in cols.items())}
    assert 2 <= len(missed) <= 3


def test_at_least_one_unit_qualifies_for_the_year_end_reward(tables, items, resolve, canon):
    # R13: (a) every target met counting on-time items only, (b) ≥ 5 solicited 江苏省 adoptions
    # dated in the year (an empty 是否约稿 counts as solicited), (c) no veto in the year.
    targets = _targets(tables, resolve, canon)
    on_time = _done(items, on_time_only=True)
    province = Counter()
    for rows in items.values():
        if any(r["level"] == "江苏省" and r["adopted"].year == 2023 and r["solicited"] != "否" for r in rows):
            province[rows[0]["unit"]] += 1
    vetoed = {resolve(r) for r in tables["events"]
              if canon["event"][r["type"]] in ("veto_quarter", "veto_classified") and _date(r["date"]).year == 2023}
    winners = sorted(u for u, n in province.items() if n >= 5 and u not in vetoed
                     and all(on_time[(u, c)] >= t for c, t in targets[u].items()))
    assert winners == ["0107", "0215"]                       # 天目湖镇 (6), 市文体广旅局 (exactly 5)
    assert province["0102"] == 4                              # 溧城街道: 5 rows, one says 否


# ---- both forms through the loader -------------------------------------------------------------
def _loading():
    import scoring.inputs.loading as loading
    return loading


@pytest.fixture(scope="module")
def loaded(rules):
    loading = _loading()
    return {form: loading.load_dataset(path, rules, year=2023) for form, path in
            (("csv", SAMPLE), ("xlsx", WORKBOOK_DIR))}


def test_both_forms_load_without_a_problem_and_note_the_other_year(loaded):
    for ds in loaded.values():
        assert len(ds.units) == 59 and 2000 <= len(ds.submissions) <= 5000
        assert any("2023" in n for n in ds.notes)             # the December 2022 rows are noted


def test_both_forms_load_to_identical_canonical_tables(loaded):
    import pandas.testing as pdt
    for name in TABLES:
        a = getattr(loaded["csv"], name).drop(columns=["_file", "_row"])
        b = getattr(loaded["xlsx"], name).drop(columns=["_file", "_row"])
        pdt.assert_frame_equal(a, b, check_exact=True)


def test_unit_ids_keep_their_leading_zeros_after_loading(loaded):
    for ds in loaded.values():
        assert ds.units["unit_id"].str.fullmatch(r"0[123]\d\d").all()
        assert ds.submissions["unit_id"].str.startswith("0").all()
