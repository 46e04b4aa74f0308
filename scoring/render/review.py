"""The analyst's review page (核对清单) → ``review.html``: the content of
:func:`scoring.report.review.review_page`, in its template with the project's page CSS, written
atomically. Plain HTML (no script, no clock: reruns give the same bytes), with the bundled fonts
subset to its characters, as bulletin.html: Chinese reads even on a machine without a Chinese font."""
from __future__ import annotations

from pathlib import Path

from scoring.render.files import write_bytes_atomic
from scoring.render.html import embed_fonts, page_css
from scoring.report.review import Review, review_html

REVIEW = "review.html"


def write_review(review: Review, path: str | Path) -> Path:
    """Write the review page to ``path`` (usually ``<quarter folder>/review.html``)."""
    return write_bytes_atomic(path, embed_fonts(review_html(review, css=page_css())).encode("utf-8"))
