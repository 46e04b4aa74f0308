import gc

from .cli import main

status = main()
# Every output is written and closed by now. Without this, the interpreter's last garbage
# collection walks every object WeasyPrint, pandas and the kernel client left (≈0.5 s a bulletin).
gc.freeze()
raise SystemExit(status)
