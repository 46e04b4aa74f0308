"""Real clients open what the bulletin run writes (the hostile-text bulletin, the hardest case):

- headless Chromium (Debian's ``chromium``; installed here when root and apt exist, else skipped;
  one browser for the session, conftest.py's ``browser``), driven over the DevTools protocol with
  networking off: no console errors, no script exceptions,
  no dialogs (an unescaped ``<script>alert`` would open one), no request other than the file itself
  and inline data; the screenshot is not blank and shows the charts' colours;
- ``pdffonts`` (poppler-utils): every font of the PDFs is embedded;
- LibreOffice headless (only when installed): the workbook converts.
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest

from browser_support import Tab, watch

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def out(hostile_bulletin):
    return hostile_bulletin.folder


# Elements whose text the bulletin shows (the page's fonts are asked for each).
TEXT_ELEMENTS = "h1, h2, h3, p, td, th, caption, figcaption, li"


async def _platform_fonts(ws_url: str, page_url: str) -> list[tuple[str, list[dict]]]:
    """Open ``page_url``; for every text element, the fonts Chromium drew its text with
    (CSS.getPlatformFontsForNode: familyName, isCustomFont = a web font, not a system font)."""
    tab = await Tab.open(ws_url, page_url, ("Page", "DOM", "CSS"))
    await tab.call("Runtime.evaluate", {"expression": "document.fonts.ready", "awaitPromise": True})
    root = (await tab.call("DOM.getDocument", {"depth": -1}))["root"]["nodeId"]
    nodes = (await tab.call("DOM.querySelectorAll", {"nodeId": root, "selector": TEXT_ELEMENTS}))["nodeIds"]
    found = []
    for node in nodes:
        described = await tab.call("DOM.describeNode", {"nodeId": node})
        used = (await tab.call("CSS.getPlatformFontsForNode", {"nodeId": node}))["fonts"]
        found.append((described["node"]["localName"], used))
    await tab.close()
    return found


@pytest.fixture(scope="module")
def visit(browser, out):
    return watch(browser, out / "bulletin.html")


def test_the_devtools_watch_sees_console_errors_dialogs_and_outgoing_requests(browser, tmp_path):
    """The checks below are not blind: a page that misbehaves in every way is caught in every way."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><p>x</p><img src='http://example.invalid/a.png'>"
                   "<script>console.error('boom'); alert(1); undefined_function();</script></body></html>",
                   encoding="utf-8")
    page, events, _ = watch(browser, bad)
    assert _of(events, "Runtime.exceptionThrown")
    assert [p for p in _of(events, "Runtime.consoleAPICalled") if p["type"] == "error"]
    assert _of(events, "Page.javascriptDialogOpening")
    assert any(p["request"]["url"].startswith("http://example.invalid") for p in _of(events, "Network.requestWillBeSent"))


def _of(events, method):
    return [e["params"] for e in events if e.get("method") == method]


def test_the_bulletin_opens_in_chromium_without_console_errors_or_script_exceptions(visit):
    _, events, _ = visit
    assert any(e.get("method") == "Page.loadEventFired" for e in events), "the page never finished loading"
    exceptions = _of(events, "Runtime.exceptionThrown")
    assert not exceptions, exceptions[:3]
    errors = [p["entry"] for p in _of(events, "Log.entryAdded") if p["entry"]["level"] == "error"]
    assert not errors, errors[:3]
    console = [p for p in _of(events, "Runtime.consoleAPICalled") if p["type"] in ("error", "assert")]
    assert not console, console[:3]
    dialogs = _of(events, "Page.javascriptDialogOpening")
    assert not dialogs, f"a script from the data ran: {dialogs[:1]}"


def test_the_bulletin_makes_no_request_beyond_its_own_file(visit):
    page, events, _ = visit
    urls = [p["request"]["url"] for p in _of(events, "Network.requestWillBeSent")]
    assert page in urls, "the DevTools log saw no request for the page: the check would be blind"
    outside = [u for u in urls if u != page and not u.startswith(("data:", "blob:", "about:"))]
    assert not outside, f"the bulletin loads resources from elsewhere: {outside[:5]}"
    failed = _of(events, "Network.loadingFailed")
    assert not failed, failed[:3]


def test_the_screenshot_of_the_bulletin_is_not_blank_and_shows_coloured_charts(visit):
    from PIL import Image, ImageStat

    _, _, png = visit
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.width >= 800 and img.height >= 1000
    gray = img.convert("L")
    assert ImageStat.Stat(gray).stddev[0] > 10, "the page is blank"
    dark = sum(gray.histogram()[:100])
    assert dark > 500, "no text on the first screen"
    # The first screen holds the title and the score table; charts come further down, so colour is
    # checked on a full-page render below.


async def _full_page(ws_url: str, page_url: str) -> bytes:
    """A screenshot of ``page_url`` in a viewport 1000 × 12000 pixels (the whole bulletin)."""
    tab = await Tab.open(ws_url, page_url, ("Page",), size=(1000, 12000))
    await tab.call("Runtime.evaluate", {"expression": "document.fonts.ready", "awaitPromise": True})
    shot = await tab.call("Page.captureScreenshot", {"format": "png"})
    await tab.close()
    return base64.b64decode(shot["data"])


def test_a_full_page_render_shows_the_charts_colours(browser, out):
    from PIL import Image

    _, png = watch(browser, out / "bulletin.html", visitor=_full_page)
    import numpy as np

    img = Image.open(io.BytesIO(png))
    assert img.height >= 12000, img.size
    hsv = np.asarray(img.convert("HSV"))
    coloured = int(((hsv[..., 1] > 80) & (hsv[..., 2] > 60)).sum())
    assert coloured > 2000, f"only {coloured} coloured pixels: no chart drawn"


def test_the_bulletin_draws_its_text_in_the_embedded_noto_fonts_not_in_system_fonts(browser, out):
    # The HTML carries Noto Serif/Sans CJK SC subsets as data: URIs; Chromium reports them as
    # custom (web) fonts. Any system font (none has Chinese on a bare Debian: boxes) fails this.
    _, found = watch(browser, out / "bulletin.html", visitor=_platform_fonts)
    drawn = [(tag, f) for tag, fonts in found for f in fonts]
    assert {tag for tag, _ in drawn} >= {"h1", "h2", "p", "td", "th"}, "the check saw no text: it would be blind"
    system = sorted({f"{tag}: {f['familyName']}" for tag, f in drawn if not f.get("isCustomFont")})
    assert not system, f"text drawn with system fonts: {system[:10]}"
    families = {f["familyName"].removesuffix(" Regular") for _, f in drawn}     # as the font's name table has it
    assert families <= {"Noto Serif CJK SC", "Noto Sans CJK SC"}, families
    assert {"Noto Serif CJK SC", "Noto Sans CJK SC"} <= families     # body serif, tables sans


def test_a_page_without_embedded_fonts_is_caught_drawing_with_system_fonts(browser, out, tmp_path):
    """The check above is not blind: the same page with its fonts taken out is drawn with system fonts."""
    from scoring.render.html import without_embedded_fonts

    bare = tmp_path / "bare.html"
    bare.write_text(without_embedded_fonts((out / "bulletin.html").read_text(encoding="utf-8")), encoding="utf-8")
    _, found = watch(browser, bare, visitor=_platform_fonts)
    assert [f for _, fonts in found for f in fonts if not f.get("isCustomFont")]


def test_pdffonts_lists_only_embedded_fonts_in_the_bulletin_and_statements(out):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    pdfs = [out / "bulletin.pdf", *sorted((out / "statements").glob("*.pdf"))]
    for pdf in pdfs:
        lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        assert lines[0].split()[:2] == ["name", "type"], lines[:2]
        fonts = lines[2:]
        assert fonts, f"{pdf.name}: no fonts at all"
        # Columns: name type encoding emb sub uni object ID — "emb" is the third field from "yes/no" triple.
        for row in fonts:
            flags = re.search(r"\b(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
            assert flags and flags.group(1) == "yes", f"{pdf.name}: font not embedded: {row}"


def test_the_workbook_converts_with_libreoffice_when_it_is_installed(out, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (too large to install in CI just for this check)")
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "csv", "--outdir", str(tmp_path), str(out / "scores.xlsx")],
                          capture_output=True, text=True, timeout=300)
    converted = tmp_path / "scores.csv"
    assert proc.returncode == 0 and converted.is_file(), proc.stderr[-2000:]
    assert converted.stat().st_size > 0
