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

# The .po catalogs are the source of the translations (edit them with Poedit, Weblate or any
# editor); `make translations` extracts the messages of the code, adds the new ones to both
# catalogs (never guessing a translation: no fuzzy matching), compiles them, and fails while a
# French message is missing, empty or fuzzy. Keep the keywords in step with
# tests/web/test_translations.py.
KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2

$(MO): $(STAMP) $(CATALOGS)/fr/LC_MESSAGES/messages.po $(CATALOGS)/en/LC_MESSAGES/messages.po
	$(BIN)/pybabel -q compile -d $(CATALOGS)

translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(KEYWORDS) --no-location --omit-header \
		--sort-output -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel -q update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -d $(CATALOGS)
	$(BIN)/pytest -q -p no:cacheprovider tests/web/test_translations.py

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
	$(BIN)/python benchmarks/markdown_adversarial.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
