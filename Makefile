# The two commands: `make run` and `make test`. Both set up everything on a fresh machine.
# `make run` serves with gunicorn (`nongsan run`, app/gunicorn_config.py); WORKERS=N overrides
# the number of processes.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?=
# What `install` puts in the virtualenv: the package alone, or with its dev/test extras.
SPEC   ?= .
STAMP   = $(VENV)/.installed-$(if $(findstring dev,$(SPEC)),dev,base)
# npm's own record of what `npm ci` installed: the stamp of the browser checks' packages.
BROWSER_CHECKS = browser-checks/node_modules/.package-lock.json

.PHONY: run stack test mutation install translations extract-messages lint format clean

run: SPEC = .
run: install translations
	$(BIN)/nongsan db upgrade
	$(BIN)/nongsan seed-demo --if-empty
	$(BIN)/nongsan run --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# The production-like stack on this machine (stack/, README "Running the production-like
# stack"): PostgreSQL, Redis, an S3 server, two gunicorn instances, a worker, nginx in front;
# Ctrl-C stops it all. STACK_PORT=8080 picks nginx's port (default: a free one).
stack: SPEC = .[dev]
stack: install translations
	$(BIN)/python -m stack $(if $(STACK_PORT),--port $(STACK_PORT))

test: SPEC = .[dev]
test: install translations $(BROWSER_CHECKS)
	$(BIN)/pytest $(PYTEST_ARGS)

# Mutation testing of the money and safety modules (bench/mutation.py); not part of `test`.
# MUTATION_ARGS="--module chain --resume" narrows it.
mutation: SPEC = .[dev]
mutation: install translations
	$(BIN)/python bench/mutation.py $(MUTATION_ARGS)

# Reinstalls only when setup.cfg changed since the last install into this virtualenv.
install: $(VENV)/bin/python
	@if [ ! -f $(STAMP) ] || [ setup.cfg -nt $(STAMP) ]; then \
		$(BIN)/pip install --quiet --upgrade pip && \
		$(BIN)/pip install --quiet -e "$(SPEC)" && \
		touch $(STAMP); \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The browser checks' npm packages (axe-core for tests/e2e/test_accessibility.py, Lighthouse
# for bench/reach.py), installed exactly from the lock, again only when the lock changes. Without
# npm, or when npm cannot reach its registry, this is skipped (an error under CI=true): the axe
# test then skips locally and fails under CI=true.
$(BROWSER_CHECKS): browser-checks/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix browser-checks --no-audit --no-fund && touch $@ || { \
			echo "npm ci failed (no registry?): the axe test will skip, or fail under CI=true"; \
			[ "$$CI" != true ]; }; \
	else \
		echo "npm not found: browser checks not installed (the axe test will skip, or fail under CI=true)"; \
	fi

# Compiled catalogues (.mo) are build output, made from the committed .po files.
translations: install
	$(BIN)/pybabel compile --statistics -d app/translations

# Refresh the template and the Vietnamese catalogue after changing user-facing strings.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot \
		--no-location --sort-output --project "Nông Sản Số" app farms products orders traceability
	@if [ -f app/translations/vi/LC_MESSAGES/messages.po ]; then \
		$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l vi --no-fuzzy-matching; \
	else \
		$(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l vi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance test-output .pytest_cache mutants .mutation browser-checks/node_modules
