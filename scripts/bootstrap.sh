#!/usr/bin/env bash
# Sets up what the project needs on a fresh machine: Debian packages (when root and apt exist)
# and a virtualenv from pyproject.toml pinned by constraints.txt. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
DEB_PACKAGES="libharfbuzz-subset0 poppler-utils"

missing=()
for p in $DEB_PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] 安装系统软件包 / installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] 提示 / hint: for fast PDF rendering and font checks install: ${missing[*]}"
    echo "        e.g. sudo apt-get install ${missing[*]}  (the project still works without them, only slower)"
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] 创建虚拟环境 / creating $VENV"
  "$PY" -m venv "$VENV"
fi
echo "[setup] 安装依赖 / installing Python packages (pip, constraints.txt)"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
log="$VENV/pip.log"
if [ -d wheelhouse ] && [ -n "${OFFLINE:-}" ]; then
  args=(--no-index --find-links wheelhouse)
else
  args=(-c constraints.txt)
fi
if ! "$VENV/bin/python" -m pip install "${args[@]}" -e '.[dev]' >"$log" 2>&1; then
  tail -40 "$log"
  echo "[setup] pip 安装失败，完整日志见 $log / pip failed, see $log" >&2
  exit 1
fi
# The kernel the notebooks run on is the venv's own python.
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
# Byte-code for the package even where PYTHONDONTWRITEBYTECODE is set: every run starts two
# interpreters (the command and the notebook's kernel) that would otherwise compile it each time.
"$VENV/bin/python" -m compileall -q scoring >/dev/null
touch "$VENV/.installed"
echo "[setup] 完成 / done"
