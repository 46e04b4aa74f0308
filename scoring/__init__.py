"""Scoring of 《溧阳市人民政府门户网站内容保障考评办法》 and its quarterly bulletin (季度通报).

Architecture, one module per concern (see docs/ARCHITECTURE.md):
rules (the method as data) → loading (input files, validation) → engine (R1–R15, ledger)
→ outputs / workbook (CSV, xlsx) → charts / bulletin (content) → render (HTML, PDF)
→ pipeline (papermill run, atomic quarter folder, manifest).
"""
__version__ = "0.1.0"
