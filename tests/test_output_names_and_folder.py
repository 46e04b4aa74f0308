"""File names and the output folder (issue 12, item 7): statement names unique without regard to
case, checked when the register is read (both rows named); ids cut at 30 characters never give
one name; the clean-up touches only the folders this program made (they carry its marker); an
OUT/<quarter> that is a file or a symbolic link is refused in Chinese with exit 2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.errors import InputError, ScoringError  # noqa: E402
from scoring.inputs.loading import load_dataset  # noqa: E402
from scoring.inputs.names import clash_key, clash_keys, id_part, statement_filename  # noqa: E402
from scoring.run.folder import MARKER, clean_leftovers, mark, staging_folder, swap_into  # noqa: E402



def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _units(*rows: list[str]) -> list[list[str]]:
    return [list(inputs.UNITS[0]), *map(list, rows)]


def _problems(tmp_path: Path, rules, units) -> list:
    folder = inputs.write_csv(tmp_path / "data", inputs.tables(units=units))
    with pytest.raises(InputError) as err:
        load_dataset(folder, rules)
    return err.value.problems


# ---- names --------------------------------------------------------------------------------------------
def test_two_ids_that_give_one_file_name_are_refused_at_validation_naming_both_rows(tmp_path, rules):
    # 「Z/01」 loses its slash in a file name: it would be the same file as 「Z01」 (row 2).
    units = _units(["Z01", "昆仑街道", "镇区街道", "", ""], ["D01", "溧阳市公安局", "市级机关部门", "", ""],
                   ["Q01", "团市委", "群团", "", ""], ["Z/01", "溧城街道", "镇区街道", "", ""])
    clash = [p for p in _problems(tmp_path, rules, units) if p.code == "statement_name_clash"]
    assert len(clash) == 1
    p = clash[0]
    assert (p.file, p.row, p.column, p.value) == ("units.csv", 5, "unit_id", "Z/01")
    assert "第 2 行" in p.expected and "「Z01」" in p.expected and "不区分大小写" in p.expected


def test_ids_differing_only_in_case_are_one_file_on_windows_and_are_refused(tmp_path, rules):
    units = _units(["Z01", "昆仑街道", "镇区街道", "", ""], ["D01", "溧阳市公安局", "市级机关部门", "", ""],
                   ["Q01", "团市委", "群团", "", ""], ["z01", "溧城街道", "镇区街道", "", ""])
    found = [(p.row, p.code) for p in _problems(tmp_path, rules, units) if p.file == "units.csv"]
    assert found == [(5, "duplicate_unit_id")]          # one report for one cause, naming row 2 itself
    assert clash_key("Z01") == clash_key("z01")


def test_the_register_wide_keys_are_each_ids_own_key_plain_or_not():
    # Plain ids take the short way (the id, case folded); the rest the whole file-name check.
    ids = ["Z01", "z01", "昆仑01", "CON", "con", "Lpt1", "A/1", "A1", "Ｚ01", " Z02 ", "x" * 31, "B-01_2", "Z.01."]
    assert clash_keys(ids) == [clash_key(u) for u in ids]
    assert clash_keys(["Z01", "z01"]) == ["z01", "z01"]           # one file where case does not count


def test_ids_sharing_their_first_30_characters_get_different_names_of_30_characters():
    a, b = "X" * 30 + "1", "X" * 30 + "2"
    assert id_part(a) != id_part(b)
    assert len(id_part(a)) == len(id_part(b)) == 30
    assert id_part(a).startswith("X" * 21 + "~")
    assert id_part("Z01") == "Z01"                    # a short id stands as it is
    assert statement_filename(a, "昆仑街道") != statement_filename(b, "昆仑街道")


def test_a_register_with_long_ids_sharing_a_prefix_is_valid(tmp_path, rules):
    long_a, long_b = "L" * 40 + "A", "L" * 40 + "B"
    units = [*map(list, inputs.UNITS), [long_a, "溧城街道", "镇区街道", "", ""], [long_b, "天目湖镇", "镇区街道", "", ""]]
    folder = inputs.write_csv(tmp_path / "data", inputs.tables(units=units))
    data = load_dataset(folder, rules)
    assert {long_a, long_b} <= set(data.units["unit_id"])


# ---- the clean-up touches only what this program made ---------------------------------------------------
def test_a_users_folders_that_look_like_leftovers_are_never_touched(tmp_path):
    out = tmp_path / "out"
    users = [out / ".archive.partial-2022", out / ".2023Q2.old-20231010", out / f".2023Q3.partial-{_dead_pid()}"]
    for p in users:
        p.mkdir(parents=True)
        (p / "我的文件.txt").write_text("用户的", encoding="utf-8")
    # A marker for another name (copied along with the folder) does not make it ours either.
    stray = out / f".2023Q4.old-{_dead_pid()}"
    stray.mkdir()
    mark(stray, "old", 1)
    clean_leftovers(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in [*users, stray])
    assert all((p / "我的文件.txt").read_text(encoding="utf-8") == "用户的" for p in users)


def test_the_folders_this_program_leaves_are_marked_and_the_marker_is_gone_from_the_output(tmp_path):
    out = tmp_path / "out"
    staging = staging_folder(out, "2023Q3")
    assert (staging / MARKER).read_text(encoding="utf-8") == f"partial-{os.getpid()}\n"
    (staging / "bulletin.html").write_text("第一版", encoding="utf-8")
    swap_into(staging, out / "2023Q3")
    second = staging_folder(out, "2023Q3")
    (second / "bulletin.html").write_text("第二版", encoding="utf-8")
    kept = swap_into(second, out / "2023Q3")
    assert sorted(p.name for p in (out / "2023Q3").iterdir()) == ["bulletin.html"]
    assert sorted(p.name for p in kept.iterdir()) == ["bulletin.html"]
    assert (kept / "bulletin.html").read_text(encoding="utf-8") == "第一版"


def test_a_marked_leftover_of_a_killed_run_is_still_tidied(tmp_path):
    dead = _dead_pid()
    half = tmp_path / f".2023Q3.partial-{dead}"
    old = tmp_path / f".2023Q3.old-{dead}"
    for p, kind in ((half, "partial"), (old, "old")):
        p.mkdir()
        mark(p, kind, dead)
    (old / "bulletin.html").write_text("上一版", encoding="utf-8")
    clean_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023Q3"]
    assert sorted(p.name for p in (tmp_path / "2023Q3").iterdir()) == ["bulletin.html"]   # marker gone


# ---- OUT/<quarter> is a file or a link --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_quarter_path_that_is_a_file_or_a_link_is_refused_and_nothing_is_left(tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "2023Q3"
    if kind == "file":
        target.write_text("用户的文件", encoding="utf-8")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ScoringError, match="文件，不是文件夹" if kind == "file" else "符号链接") as err:
        staging_folder(out, "2023Q3")
    assert err.value.exit_code == 2 and "--out" in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == ["2023Q3"]       # no hidden .partial left behind
    assert target.is_symlink() == (kind == "symlink")


def test_the_bulletin_command_exits_2_in_chinese_when_the_quarter_path_is_a_file(tmp_path, capsys):
    from scoring.cli import main

    out = tmp_path / "out"
    out.mkdir()
    (out / "2023Q3").write_text("x", encoding="utf-8")
    data = inputs.write_csv(tmp_path / "data", inputs.tables())
    code = main(["bulletin", "--data", str(data), "--out", str(out), "--quarter", "2023Q3", "--statements", "no"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"输出文件夹 {out / '2023Q3'} 是一个文件" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["2023Q3"]


def test_the_manifest_of_a_staging_folder_lists_its_outputs_but_not_the_marker(tmp_path):
    from scoring.inputs.rules_file import DEFAULT_RULES
    from scoring.run.manifest import build_manifest

    staging = staging_folder(tmp_path / "out", "2023Q3")
    (staging / "scores.csv").write_text("unit_id\n", encoding="utf-8")
    manifest = build_manifest(inputs=[], rules_file=DEFAULT_RULES, parameters={}, output_dir=staging,
                              root=Path(__file__).resolve().parent.parent)
    assert list(manifest["outputs"]) == ["scores.csv"]
    assert (staging / MARKER).is_file()
