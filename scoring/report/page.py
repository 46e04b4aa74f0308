"""The page every document is laid out on, named once: A4 portrait with the margins of GB/T 9704
and the type sizes of the bulletin.

Read by the charts (their width is the text width), the bulletin's table layout (column widths in
em of the table text), the print CSS (scoring.render.html templates its @page rules and sizes from
here) and the Word copy's page setup (scoring.render.docx).
"""
from __future__ import annotations

PAPER = "A4"
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
# GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
MARGIN_TOP_MM = 37
MARGIN_RIGHT_MM = 26
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM        # 156 mm
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM      # 225 mm
PAGE_NUMBER_GAP_MM = 7          # from the bottom margin's top edge to the 「— n —」 line

# Type sizes, in points. One weight only (the bundled fonts are Regular): emphasis is size.
BODY_PT = 12                    # body text, number line, issuer line, page number
TITLE_PT = 22                   # the document's title
HEADING_PT = 14                 # 一、… section headings (HTML, PDF)
SUBHEADING_PT = 12.5            # （一）… subheadings (HTML, PDF)
TABLE_PT = 9.5                  # table text
CAPTION_PT = 10.5               # table captions (and figure captions in the Word copy)
FIGCAPTION_PT = 10              # figure captions (HTML, PDF)
NOTES_PT = 10.5                 # the 说明 box
CC_PT = 11                      # 抄送
LAGGING_PT = 9                  # the 进度滞后 tag in a table cell

# The Word draft (bulletin.docx) is the copy that is edited, signed and printed: GB/T 9704-2012 as
# offices set it, in the fonts of a Chinese Windows named (never embedded). The HTML and PDF keep
# the sizes above, the bundled Noto CJK fonts and centred page numbers.
WORD_BODY_PT = 16               # 3号: body text, headings of both levels, 附件 label, 落款
WORD_TITLE_PT = 22              # 2号: the title (and an attachment's title)
WORD_HEADING_PT = 16            # 一、… 3号 黑体
WORD_SUBHEADING_PT = 16         # （一）… 3号 楷体
WORD_PAGE_NUMBER_PT = 14        # 4号 宋体 「— 1 —」, odd pages right, even pages left, one character in
WORD_TABLE_PT = 10.5            # 5号: tables and their captions
WORD_NOTES_PT = 14              # 4号: the 说明 box
WORD_IMPRINT_PT = 14            # 4号: 版记 (抄送, 印发机关 and 印发日期)
LINES_PER_PAGE = 22             # the document grid: 22 lines of 28 characters in the text block
CHARS_PER_LINE = 28
WORD_CELL_MARGIN_MM = 1.9       # Word's default left/right cell margin (0.19 cm)
WORD_BODY_FONT = "仿宋_GB2312"
WORD_TITLE_FONT = "方正小标宋简体"
WORD_HEADING_FONT = "黑体"
WORD_SUBHEADING_FONT = "楷体_GB2312"
WORD_PAGE_NUMBER_FONT = "宋体"
WORD_LATIN_FONT = "Times New Roman"
# Where a font is missing, Word takes the one named beside it (the font table's altName).
WORD_FONT_FALLBACK = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体"}

# Table cells: padding inside the rules, top/bottom and left/right.
CELL_PADDING_V_MM = 1.2
CELL_PADDING_H_MM = 1.6

MM_PER_PT = 25.4 / 72


def em_mm(size_pt: float) -> float:
    """One em of ``size_pt`` text, in millimetres."""
    return size_pt * MM_PER_PT


# The table layout in em of table text (scoring.report.bulletin.column_widths).
TABLE_WIDTH_EM = TEXT_WIDTH_MM / em_mm(TABLE_PT)                # ≈ 46.5
CELL_PADDING_EM = 2 * CELL_PADDING_H_MM / em_mm(TABLE_PT)      # ≈ 0.95, both sides
