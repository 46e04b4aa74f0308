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
PAGE_NUMBER_GAP_MM = 7          # from the bottom margin's top edge to the 「— n —」 line

# Type sizes, in points. One weight only (the bundled fonts are Regular): emphasis is size.
BODY_PT = 12                    # body text, number line, issuer line, page number
TITLE_PT = 22                   # the document's title
HEADING_PT = 14                 # 一、… section headings (HTML, PDF)
SUBHEADING_PT = 12.5            # （一）… subheadings (HTML, PDF)
WORD_HEADING_PT = 16            # the Word draft's 一、… headings (3号, as office drafts use)
WORD_SUBHEADING_PT = 14         # the Word draft's （一）… subheadings (4号)
TABLE_PT = 9.5                  # table text
CAPTION_PT = 10.5               # table captions (and figure captions in the Word copy)
FIGCAPTION_PT = 10              # figure captions (HTML, PDF)
NOTES_PT = 10.5                 # the 说明 box
CC_PT = 11                      # 抄送
LAGGING_PT = 9                  # the 进度滞后 tag in a table cell

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
