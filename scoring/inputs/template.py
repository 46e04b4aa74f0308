"""The input template workbook: the four sheets of the data contract with Chinese names and headers,
drop-down lists generated from the rules file (and the 单位 sheet's names, 是/否), id and text
columns formatted as text, and a 说明 sheet that holds the examples.

The table sheets hold only their header row: an example row there became data when a user typed
over part of it. ``python -m scoring template --rules R --out F`` writes the workbook (never over
an existing file); a filled-in copy is a dataset folder's workbook as ``scoring.inputs.loading``
reads it.
"""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.inputs.parsing import BOOL_EXAMPLES, DATE_EXAMPLES
from scoring.method.rules import Rules
from scoring.inputs.schema import MAX_TEXT, TABLES, Field, Table

GUIDE = "说明"
LISTS = "选项"             # hidden sheet holding the drop-down values
LAST_ROW = 5000            # drop-downs reach this far down
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TEXT = "@"                 # Excel's 文本 number format


def _choices(rules: Rules) -> dict[str, tuple[str, list[str]]]:
    """Drop-down kind → (list title, values), all from the rules file."""
    return {
        "column": ("栏目", list(rules.column_keys)),
        "level": ("录用级别", list(rules.level_keys)),
        "category": ("单位类别", list(rules.category_keys)),
        "event": ("类型", [e.name for e in rules.events.values()]),
    }


def _example(f: Field, table: Table) -> str:
    """The example text of a field (schema Field.example); unit references use the units example."""
    if f.kind == "unit":
        units = next(t for t in TABLES if t.name == "units")
        return next(u.example for u in units.fields if u.name == f.name)
    return f.example


def _example_cell(f: Field, table: Table, rules: Rules) -> object:
    """The example as Excel would hold it: numbers as numbers, dates as date cells, event codes by name."""
    text = _example(f, table)
    if not text:
        return None
    if f.kind == "int":
        return int(text)
    if f.kind == "date":
        return dt.date.fromisoformat(text)
    if f.kind == "event" and text in rules.events:
        return rules.events[text].name
    return text


def _describe(f: Field, rules: Rules, choices: dict[str, tuple[str, list[str]]]) -> str:
    if f.kind == "unit" and f.name == "unit_id":
        return "单位编码，与「单位」工作表一致（文本格式，保留开头的 0）；单位编码和单位名称两列至少填一列"
    if f.kind in choices:
        title, values = choices[f.kind]
        extra = "（也接受规则文件中的代码和别名）" if f.kind == "event" else "（也接受规则文件中的别名）"
        return f"下拉选择{title}：{'、'.join(values)}{extra}"
    if f.kind == "date":
        return f"日期，可写作 {DATE_EXAMPLES}"
    if f.kind == "bool":
        return f"下拉选择是或否；也可填 {BOOL_EXAMPLES}"
    if f.kind == "unit" and f.name == "unit_name":
        return "单位名称（下拉列表取自「单位」工作表，也可用别名）；单位编码和单位名称两列至少填一列"
    if f.kind == "int":
        return {"count": "次数，不小于 1 的整数，留空按 1 次计", "target": "目标数，不小于 0 的整数",
                "year": "年度，四位数年份"}.get(f.name, "整数")
    if f.name == "unit_id":
        return "单位编码，每个单位唯一；本列为文本格式，开头的 0 会保留（0103 不会变成 103）"
    if f.name == "aliases":
        return "其他系统导出时对本单位的叫法，多个用“;”或“、”分隔"
    if f.name == "record_id":
        return "稿件编号；同一稿件被多级录用时每级一行，编号相同"
    return f"文字，不超过 {MAX_TEXT} 字"


def _guide(wb: Workbook, rules: Rules, choices: dict[str, tuple[str, list[str]]]) -> None:
    ws = wb.create_sheet(GUIDE)
    lines = [
        f"{rules.meta.title}  录入模板",
        f"规则文件：{rules.meta.title}（{rules.meta.status}，{rules.meta.version}，{rules.meta.issuer}）",
        "",
        "1. 按工作表填写：单位（单位名册）、录用记录、扣分事项、年度目标；扣分事项和年度目标没有时可留空表。",
        "2. 第 1 行是表头，请勿修改、合并或在其上方插入标题行；不要改工作表名称。",
        "3. 各数据表没有示例行，从第 2 行起直接填写；示例见本页下方的“示例”列和示例表，请勿复制到数据表。",
        "4. 录用记录每次录用一行；同一稿件被多级录用时，稿件编号、单位和栏目须相同。",
        f"5. 日期可写作 {DATE_EXAMPLES}；是/否可填 {BOOL_EXAMPLES}。",
        "6. 黄色表头为必填列；单位编码和单位名称至少填一列。单位编码等列已设为文本格式，0103 不会变成 103；"
        "从别处粘贴时请用“选择性粘贴 → 数值”，以免带入“常规”格式。",
        "7. 填好后把本工作簿单独放入一个数据目录（不要与 CSV 文件混放），运行 python -m scoring validate --data 目录 检查。",
        "",
    ]
    for text in lines:
        ws.append([text])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["工作表", "表头", "英文表头", "必填", "填写说明", "示例"])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for table in TABLES:
        for f in table.fields:
            required = "是" if f.required else ("二选一" if f.kind == "unit" else "")
            ws.append([table.sheet_zh, f.zh, f.name, required, _describe(f, rules, choices), _example(f, table)])
    for table in TABLES:
        ws.append([])
        ws.append([f"示例：{table.sheet_zh}工作表的一行（仅供参考，不要复制到数据表）"])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        ws.append([f.zh for f in table.fields])
        ws.append([_example_cell(f, table, rules) for f in table.fields])
        for i, f in enumerate(table.fields, start=1):
            ws.cell(row=ws.max_row - 1, column=i).fill = REQUIRED_FILL if f.required else HEADER_FILL
            if f.kind == "date":
                ws.cell(row=ws.max_row, column=i).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", (10, 14, 14, 8, 70, 30)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=header_row + 1, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _lists(wb: Workbook, choices: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """The hidden sheet of drop-down values; kind → absolute range for a list validation."""
    ws = wb.create_sheet(LISTS)
    ranges: dict[str, str] = {}
    for i, (kind, (title, values)) in enumerate(choices.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i, value=title).font = BOLD
        for r, v in enumerate(values, start=2):
            ws.cell(row=r, column=i, value=v)
        ranges[kind] = f"'{LISTS}'!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _unit_names_range() -> str:
    """The 单位 sheet's 单位名称 cells that are filled in (a list that grows as units are added)."""
    units = next(t for t in TABLES if t.name == "units")
    letter = get_column_letter(1 + [f.name for f in units.fields].index("unit_name"))
    return f"OFFSET('{units.sheet_zh}'!${letter}$2,0,0,MAX(1,COUNTA('{units.sheet_zh}'!${letter}:${letter})-1),1)"


def _drop_down(f: Field, ranges: dict[str, str], choices: dict[str, tuple[str, list[str]]]) -> DataValidation | None:
    """The list validation of a column, or None: rules vocabularies, 单位名称 from the 单位 sheet, 是/否.
    Each only warns (showErrorMessage with errorStyle warning): aliases and other spellings are accepted."""
    if f.kind in choices:
        title = choices[f.kind][0]
        formula, error = ranges[f.kind], f"请从下拉列表选择{title}；如填写的是规则文件中的别名，可点“是”继续。"
    elif f.kind == "unit" and f.name == "unit_name":
        title = "单位名称"
        formula, error = _unit_names_range(), "请从下拉列表选择「单位」工作表中的单位名称；如填写的是别名，可点“是”继续。"
    elif f.kind == "bool":
        title = f.zh
        formula, error = ranges["bool"], "请选择“是”或“否”；留空表示未填写。"
    else:
        return None
    dv = DataValidation(type="list", formula1=formula, allow_blank=not f.required,
                        showErrorMessage=True, errorStyle="warning", showInputMessage=True)
    dv.errorTitle = f"{title}不在列表中"
    dv.error = error
    dv.promptTitle = title
    dv.prompt = f"从下拉列表选择{title}"
    return dv


def _table_sheet(wb: Workbook, table: Table, rules: Rules, ranges: dict[str, str],
                 choices: dict[str, tuple[str, list[str]]]) -> None:
    """A table sheet: the header row only; text columns (ids, names, titles) formatted as text so
    that Excel keeps 0103 as typed; drop-down lists down to LAST_ROW."""
    ws = wb.create_sheet(table.sheet_zh)
    ws.append([f.zh for f in table.fields])
    for i, f in enumerate(table.fields, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if f.required else HEADER_FILL
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = max(12, min(40, 2 * len(f.zh) + 4, len(_example(f, table)) * 2 + 2))
        if f.kind in ("str", "unit"):
            dim.number_format = TEXT
        elif f.kind == "date":
            dim.number_format = "yyyy-mm-dd"
        dv = _drop_down(f, ranges, choices)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def build_template(rules: Rules) -> Workbook:
    """The input template for ``rules`` (pure: nothing is written)."""
    wb = Workbook()
    wb.remove(wb.active)
    choices = _choices(rules)
    _guide(wb, rules, choices)
    ranges = _lists(wb, {**choices, "bool": ("是否", ["是", "否"])})
    for table in TABLES:
        _table_sheet(wb, table, rules, ranges, choices)
    # Put the hidden list sheet last, so the visible order is 说明, 单位, 录用记录, 扣分事项, 年度目标.
    wb.move_sheet(LISTS, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS))
    wb.active = 0
    wb.properties.title = f"{rules.meta.title} 录入模板"
    wb.properties.creator = rules.meta.issuer
    return wb
