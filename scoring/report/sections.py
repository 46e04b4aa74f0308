"""What a section of the bulletin is made of, and how its template lays it out.

A section's template (``templates/bulletin/<key>.j2``) says the section's words: it is handed the
section's content (figures, names, table rows, already formatted by scoring.report.bulletin) and a
:class:`Layout`, and lays the section out as a sequence of calls::

    {{ b.heading(heading) }}
    {% call b.para() %}全市共 {{ c.units }} 个单位参加考评……{% endcall %}
    {{ b.table(c.by_level, caption="分级别录用情况", headers=["录用级别", …], compact=true) }}
    {{ b.figure(c.chart, "…分栏目、分级别录用情况") }}

Captions are given without numbers: :func:`number_captions` numbers every table and figure of the
document in reading order (表1 …, 图1 …; 附表1 …, 附图1 … in the attachments). A header may hold a
line break ("重点\n栏目"): it is set on two lines there and nowhere else.

Each call records a block (:class:`Heading`, :class:`Paragraph`, :class:`Table`, :class:`Figure`,
:class:`Items`, :class:`Box`); the template's own output is not used. The blocks are what every
copy of the bulletin is written from: the HTML (:func:`to_html`, through ``blocks.html.j2``, the
only place markup is written, with autoescape on), hence the PDF, and the Word copy
(scoring.render.docx). The templates produce text, never markup: a template cannot inject HTML, and
a value is printed as it is (input text has been made drawable, 〓, by the content functions).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Sequence, Union

import jinja2
import markupsafe

from scoring.method.calendar import numeral
from scoring.report import page
from scoring.report.charts import ChartRef

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "bulletin"


# ---- blocks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """Level 1: the document's title; 2: 一、… (and 附件1); 3: （一）…"""
    kind: ClassVar[str] = "heading"
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    """Body text; ``lines`` are joined by line breaks. ``style``: "" (indented body text),
    "opening", "doc-number", "issuer-line" (centred, in the title block), "cc" (抄送) or "imprint"
    (版记's 印发机关 and 印发日期: two lines set on one, left and right)."""
    kind: ClassVar[str] = "paragraph"
    lines: tuple[str, ...]
    style: str = ""


@dataclass(frozen=True)
class Row:
    """A table row: its cells' text; ``mark`` "veto" or "floored" colours the row; the cells at
    ``flagged`` stand out (进度滞后)."""
    cells: tuple[str, ...]
    mark: str = ""
    flagged: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Rows:
    """A table's body as the content functions compute it; the template adds header and caption."""
    rows: tuple[Row, ...]
    numeric: frozenset[int] = frozenset()     # columns of numbers: right-aligned, never wrapped

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Table:
    """``compact``: as wide as its text, centred; otherwise full width with computed column widths."""
    kind: ClassVar[str] = "table"
    caption: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    numeric: frozenset[int]
    compact: bool = False


@dataclass(frozen=True)
class Figure:
    """A chart by its key, with its caption and, when given, a subheading of its own (both are
    left out of a copy that has no picture for it)."""
    kind: ClassVar[str] = "figure"
    chart: ChartRef
    caption: str
    heading: str = ""


@dataclass(frozen=True)
class Item:
    text: str
    veto: bool = False


@dataclass(frozen=True)
class Items:
    """A list (四、存在问题): one item per line; a veto stands out."""
    kind: ClassVar[str] = "items"
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Box:
    """Blocks set apart: "title-block", "notes" (说明), "attachment-list" (附件说明, kept with the
    text above), "signature" (落款, likewise), "attachment" (附件, from a new page) or "imprint"
    (版记, between rules)."""
    kind: ClassVar[str] = "box"
    name: str
    blocks: tuple["Block", ...]


Block = Union[Heading, Paragraph, Table, Figure, Items, Box]


class Layout:
    """What a section template calls to lay its section out (``b`` in the templates). Every call
    records a block and returns ""; ``{% call b.para() %}…{% endcall %}`` takes the enclosed text."""

    def __init__(self) -> None:
        self._open: list[list[Block]] = [[]]

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(self._open[0])

    def _add(self, block: Block) -> str:
        self._open[-1].append(block)
        return ""

    def title(self, text: str) -> str:
        return self._add(Heading(text, 1))

    def heading(self, text: str) -> str:
        return self._add(Heading(text, 2))

    def subheading(self, text: str) -> str:
        return self._add(Heading(text, 3))

    def para(self, style: str = "", *, caller: Callable[[], str]) -> str:
        return self._add(Paragraph((caller(),), style))

    def lines(self, lines: Sequence[str], style: str = "") -> str:
        return self._add(Paragraph(tuple(lines), style))

    def table(self, body: Rows, *, caption: str, headers: Sequence[str], compact: bool = False) -> str:
        return self._add(Table(caption, tuple(headers), body.rows, body.numeric, compact))

    def figure(self, chart: ChartRef, caption: str, heading: str = "") -> str:
        return self._add(Figure(chart, caption, heading))

    def item(self, veto: bool = False, *, caller: Callable[[], str]) -> str:
        item = Item(caller(), bool(veto))
        here = self._open[-1]
        if here and isinstance(here[-1], Items):
            here[-1] = Items(here[-1].items + (item,))
            return ""
        return self._add(Items((item,)))

    def box(self, name: str, *, caller: Callable[[], str]) -> str:
        self._open.append([])
        caller()
        return self._add(Box(name, tuple(self._open.pop())))


# ---- sections -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    """One part of the bulletin, in the order of :data:`scoring.report.bulletin.SECTIONS`.

    ``heading``: the title of a numbered section (一、总体情况); "" for the parts without a number
    (title block, 说明, 落款, 附件, 抄送). ``content(result, issue)`` computes what the template
    ``template`` says. The section appears in ``quarters``, and only when ``needs(result, issue)``
    holds (targets were set, the parameters give the text …).
    """
    key: str
    heading: str
    content: Callable[[Any, Any], Any]
    template: str
    quarters: frozenset[int] = frozenset({1, 2, 3, 4})
    needs: Callable[[Any, Any], bool] | None = None

    def present(self, result: Any, issue: Any) -> bool:
        return int(result.quarter) in self.quarters and (self.needs is None or bool(self.needs(result, issue)))


def numbering(sections: Iterable[Section]) -> dict[str, str]:
    """Key → Chinese numeral for the numbered sections among ``sections`` (those present),
    counted consecutively: 一、二、三……"""
    numbered = [s.key for s in sections if s.heading]
    return {key: numeral(i) for i, key in enumerate(numbered, 1)}


# ---- templates --------------------------------------------------------------------------------------
def two_lines(header: str) -> str:
    """A header of four or more characters from the rules (a column's name) split in the middle
    for a narrow column: 在线访谈 → 在线\n访谈, 新闻发布会 → 新闻\n发布会, 政策简明问答图解 →
    政策简明\n问答图解 (the names are compounds of two-character words)."""
    if "\n" in header or len(header) < 4:
        return header
    return f"{header[:len(header) // 2]}\n{header[len(header) // 2:]}"


def _each(values: Iterable[Any], pattern: str) -> list[str]:
    """``[1, 2]|each("第{}季度")`` → ["第1季度", "第2季度"]."""
    return [pattern.format(v) for v in values]


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    # Markup is written by blocks.html.j2 only; the section templates say plain text.
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True, default=False),
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, undefined=jinja2.StrictUndefined)
_ENV.filters["each"] = _each
_ENV.filters["numeral"] = numeral
_ENV.filters["two_lines"] = two_lines


def lay_out(template: str, **context: Any) -> tuple[Block, ...]:
    """The blocks the section template ``template`` lays out with ``context`` (``c``, ``heading`` …)."""
    layout = Layout()
    _ENV.get_template(template).render(b=layout, **context)
    return layout.blocks


# ---- numbers -----------------------------------------------------------------------------------------
def number_captions(parts: Sequence[Sequence[Block]]) -> list[tuple[Block, ...]]:
    """``parts`` (the sections' blocks, in reading order) with every table and figure caption
    numbered in that order: 「表1　…」, 「图1　…」 in the body, 「附表1　…」, 「附图1　…」 in the
    attachments (a Box "attachment"). The templates give captions without numbers, so that no
    table goes unnumbered and no number is given twice, whatever sections an issue has."""
    count = {"表": 0, "图": 0, "附表": 0, "附图": 0}

    def walk(blocks: Iterable[Block], prefix: str) -> tuple[Block, ...]:
        out: list[Block] = []
        for b in blocks:
            if isinstance(b, (Table, Figure)):
                kind = prefix + ("表" if isinstance(b, Table) else "图")
                count[kind] += 1
                b = replace(b, caption=f"{kind}{count[kind]}　{b.caption}")
            elif isinstance(b, Box):
                b = replace(b, blocks=walk(b.blocks, "附" if b.name == "attachment" else prefix))
            out.append(b)
        return tuple(out)

    return [walk(part, "") for part in parts]


# ---- HTML -----------------------------------------------------------------------------------------
def _width_em(text: str) -> float:
    """How wide a cell's text runs, in em: CJK, full-width and the marks (▲ ★ ※) one em, the rest
    (digits, Latin, the decimal point) about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def natural_widths(headers: Sequence[str], rows: Iterable[Sequence[str]],
                   padding_em: float = page.CELL_PADDING_EM) -> tuple[list[float], list[float]]:
    """(what each column's text needs, what its header needs), in em of the table text, padding
    included: a header on its own lines ("重点\n栏目" needs 2 em), at least 2 em."""
    head = [max([_width_em(line) for line in h.split("\n")] + [2.0]) + padding_em for h in headers]
    need = list(head)
    for cells in rows:
        for i, cell in enumerate(list(cells)[:len(need)]):
            need[i] = max(need[i], _width_em(cell) + padding_em)
    return need, head


def column_widths(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int], *,
                  width_em: float = page.TABLE_WIDTH_EM, padding_em: float = page.CELL_PADDING_EM) -> list[float]:
    """Each column's share of a full-width table, in per cent, from the text it holds.

    A header breaks only at its own line breaks ("重点\n栏目") and never wraps otherwise, nor
    does a number (td.num): numeric columns get what their widest number or header line needs, and
    the text columns share the rest in proportion to theirs (wrapping when it is too little, but
    never narrower than their header). Worked out here rather than by the PDF renderer's automatic
    table layout, which measures every cell's text twice (a tenth of the bulletin's PDF time).
    ``width_em`` and ``padding_em``: the text width and a cell's padding in em of the table text
    (the defaults are the PDF's; the Word copy gives its own).
    """
    numeric = set(numeric)
    need, head = natural_widths(headers, rows, padding_em)
    fixed = sum(n for i, n in enumerate(need) if i in numeric)
    free = sum(n for i, n in enumerate(need) if i not in numeric)
    if free and fixed < width_em:
        scale = max(width_em - fixed, 0) / free
        if scale < 1:                    # text columns wrap; numbers keep their width
            need = [n if i in numeric else max(n * scale, head[i]) for i, n in enumerate(need)]
    total = sum(need)
    return [round(100 * n / total, 2) for n in need]


def _table_widths(table: Table) -> list[float]:
    return column_widths(table.headers, (r.cells for r in table.rows), table.numeric)


_ENV.globals["column_widths"] = _table_widths


def to_html(blocks: Sequence[Block], picture: Callable[[ChartRef], str]) -> str:
    """The blocks as the bulletin's HTML (the classes of scoring/render/templates/bulletin/page.css.j2); ``picture(ref)``
    gives a chart's <img>, placed as it is."""
    pictures = {b.chart: markupsafe.Markup(picture(b.chart)) for b in figures(blocks)}
    return _ENV.get_template("blocks.html.j2").render(blocks=blocks, pictures=pictures)


def figures(blocks: Iterable[Block]) -> Iterable[Figure]:
    """The charts among ``blocks``, boxes included, in reading order."""
    for b in blocks:
        if isinstance(b, Figure):
            yield b
        elif isinstance(b, Box):
            yield from figures(b.blocks)


def text_of(blocks: Iterable[Block]) -> list[str]:
    """Every piece of text of ``blocks`` in reading order (tests, comparisons)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            out.append("\n".join(b.lines))
        elif isinstance(b, Table):
            out += [b.caption, *b.headers, *(c for r in b.rows for c in r.cells)]
        elif isinstance(b, Figure):
            out += [t for t in (b.heading, b.caption) if t]
        elif isinstance(b, Items):
            out += [i.text for i in b.items]
        elif isinstance(b, Box):
            out += text_of(b.blocks)
    return out
