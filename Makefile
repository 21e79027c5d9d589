# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := decisions/web/translations
MO := $(CATALOGS)/fr/LC_MESSAGES/messages.mo $(CATALOGS)/en/LC_MESSAGES/messages.mo

.PHONY: run test lint typecheck contracts pytest bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[web,postgres,test]'
	touch $(STAMP)

$(MO): $(STAMP) $(CATALOGS)/fr/LC_MESSAGES/messages.po $(CATALOGS)/en/LC_MESSAGES/messages.po
	$(BIN)/python tools/translations.py compile 2>/dev/null

translations: $(STAMP)
	$(BIN)/python tools/translations.py update 2>/dev/null
	$(BIN)/python tools/translations.py check

# The development server speaks plain HTTP on this machine: cookies cannot be HTTPS-only.
run: $(STAMP) $(MO)
	$(BIN)/decisions db upgrade
	$(BIN)/decisions demo --if-empty
	DECISIONS_SECURE_COOKIES=false $(BIN)/decisions run --with-threads --host 127.0.0.1 --port 5000

test: $(STAMP) $(MO) lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict decisions/engine

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) $(MO)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/college_million.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
