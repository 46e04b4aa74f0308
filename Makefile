# Every target has a plain `python -m scoring …` equivalent (see README).
PY      := .venv/bin/python
STAMP   := .venv/.installed
QUARTER ?=
YEAR    ?= 2023
DATA    ?= data/sample
RULES   ?= params/rules/liyang-2023-draft.yaml
OUT     ?= output
STATEMENTS ?= yes

.PHONY: setup test test-fast bulletin year validate score template sample whatif bench wheelhouse clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	@bash scripts/bootstrap.sh

test: $(STAMP)
	$(PY) -m pytest -n 2 -q --durations=15

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

bulletin: $(STAMP)
	$(PY) -m scoring bulletin --data $(DATA) --rules $(RULES) --out $(OUT) --statements $(STATEMENTS) $(if $(QUARTER),--quarter $(QUARTER),)

year: $(STAMP)
	$(PY) -m scoring year --year $(YEAR) --data $(DATA) --rules $(RULES) --out $(OUT)

validate: $(STAMP)
	$(PY) -m scoring validate --data $(DATA)

score: $(STAMP)
	$(PY) -m scoring score --data $(DATA) --year $(YEAR) --quarter $(or $(Q),4) --rules $(RULES) --out $(OUT)/scores

template: $(STAMP)
	$(PY) -m scoring template --rules $(RULES) --out data/template/录入模板.xlsx

sample: $(STAMP)
	$(PY) scripts/make_sample.py

whatif: $(STAMP)
	$(PY) -m scoring whatif --data $(DATA) --out $(OUT)/whatif

bench: $(STAMP)
	$(PY) bench/run_all.py

wheelhouse: $(STAMP)
	$(PY) -m pip wheel -q -c constraints.txt -w wheelhouse '.[dev]' 'setuptools>=68' wheel
	@echo "wheelhouse/ ready: pip install --no-index --find-links wheelhouse ."

clean:
	rm -rf .venv output/* .pytest_cache .hypothesis
