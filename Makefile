# Every target has a plain `python -m scoring …` equivalent (see README).
# The make targets default to the bundled sample data (marked 样例数据); the plain commands have no
# default data folder. Paths are quoted, so DATA="我的 数据" works (a path holding ' does not).
PY      := .venv/bin/python
STAMP   := .venv/.installed
QUARTER ?=
YEAR    ?=
Q       ?=
DATA    ?= data/sample
RULES   ?= params/rules/liyang-2023-draft.yaml
OUT     ?= output
STATEMENTS ?= yes

.PHONY: setup test test-fast bulletin year validate score publish template sample whatif progress bench wheelhouse clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	@bash scripts/bootstrap.sh

test: $(STAMP)
	$(PY) -m pytest -n 2 -q --durations=15

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

bulletin: $(STAMP)
	$(PY) -m scoring bulletin --data '$(DATA)' --rules '$(RULES)' --out '$(OUT)' --statements '$(STATEMENTS)' $(if $(QUARTER),--quarter '$(QUARTER)',)

year: $(STAMP)
	$(PY) -m scoring year --data '$(DATA)' --rules '$(RULES)' --out '$(OUT)' --statements '$(STATEMENTS)' $(if $(YEAR),--year '$(YEAR)',)

validate: $(STAMP)
	$(PY) -m scoring validate --data '$(DATA)' --rules '$(RULES)' $(if $(YEAR),--year '$(YEAR)',)

score: $(STAMP)
	$(PY) -m scoring score --data '$(DATA)' --rules '$(RULES)' --out '$(OUT)/scores' $(if $(YEAR),--year '$(YEAR)',) $(if $(Q),--quarter '$(Q)',)

publish: $(STAMP)
	$(PY) -m scoring publish --out '$(OUT)' --quarter '$(QUARTER)'

template: $(STAMP)
	$(PY) -m scoring template --rules '$(RULES)' --out data/template/录入模板.xlsx

sample: $(STAMP)
	$(PY) scripts/make_sample.py

whatif: $(STAMP)
	$(PY) -m scoring whatif --data '$(DATA)' --rules '$(RULES)' --out '$(OUT)/whatif' $(if $(YEAR),--year '$(YEAR)',) $(if $(Q),--quarter '$(Q)',)

progress: $(STAMP)
	$(PY) -m scoring progress --data '$(DATA)' --rules '$(RULES)' --out '$(OUT)/progress' $(if $(AS_OF),--as-of '$(AS_OF)',)

bench: $(STAMP)
	$(PY) bench/run_all.py

wheelhouse: $(STAMP)
	$(PY) -m pip wheel -q -c constraints.txt -w wheelhouse '.[dev]' 'setuptools>=68' wheel
	@echo "wheelhouse/ ready: pip install --no-index --find-links wheelhouse ."

clean:
	rm -rf .venv output/* .pytest_cache .hypothesis
