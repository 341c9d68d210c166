# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
MANAGE := $(UV) run --frozen python manage.py

.PHONY: run test install lint format keys migrate seed docs check-deploy bench bench-server mutate clean

run: install keys migrate seed  ## Run the service with a Celery worker and beat on the embedded defaults
	$(UV) run --frozen honcho start -f Procfile.dev

test: install lint  ## Lint, then run the whole test suite, browser tests included
	@# The server mode of the benchmarks has a test, which loads pages with wrk.
	@bash scripts/install-system-packages.sh wrk
	@# One test process per core; a process that runs out of tests takes some from another.
	$(UV) run --frozen pytest --numprocesses auto --dist worksteal

install: .venv/.installed  ## Install what is missing: Debian packages, uv, Python dependencies
	@bash scripts/install-system-packages.sh

.venv/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --user --quiet uv || \
		python3 -m pip install --quiet --break-system-packages uv
	@# The libraries compiled once here, as in the image: where Python may not write what it
	@# compiles (PYTHONDONTWRITEBYTECODE), every process compiled each library it imported.
	$(UV) sync --frozen --compile-bytecode
	@touch $@

lint: install  ## ruff (lint and format check), djLint on the templates, mypy (strict) on workflow and the services
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen djlint templates --lint
	$(UV) run --frozen mypy

format: install  ## Apply ruff's fixes and formatting
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

keys: install  ## A development key pair for signing declarations, unless settings name one
	$(MANAGE) signing_keys_ensure

migrate: install
	$(MANAGE) migrate --noinput

seed: install
	$(MANAGE) seed_demo

docs: install  ## Regenerate docs/states.md from the state machines
	$(MANAGE) write_state_docs

check-deploy: install  ## Django's deployment checklist under production settings
	DJANGO_ENV=production SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=ars.example.gov.uk SITE_URL=https://ars.example.gov.uk \
	DATABASE_URL=sqlite:///var/check.sqlite3 REDIS_URL=redis://127.0.0.1:6379/0 \
	DECLARATION_SIGNING_KEY=var/signing/declaration-key.pem \
	DECLARATION_SIGNING_CERT=var/signing/declaration-cert.pem \
	$(MANAGE) check --deploy --fail-level WARNING

bench: install  ## Time the main pages, the reminder sweep and the report (see bench/README.md)
	$(UV) run --frozen python bench/run.py

bench-server: install  ## Load the main pages on gunicorn with wrk, each beside the empty layout (bench/README.md)
	@bash scripts/install-system-packages.sh wrk
	$(UV) run --frozen python bench/server.py $(ARGS)

mutate: install  ## Mutation testing of the policy's rules, then the score per module (docs/policy.md)
	@# Not part of make test. Resumable: mutants/ keeps each result, and a run carries on from
	@# them. One test process at a lowered priority, so a shared machine stays usable.
	$(UV) run --frozen python scripts/mutation_prune.py
	env -u DATABASE_URL -u REDIS_URL nice -n 19 $(UV) run --frozen mutmut run --max-children 1
	$(UV) run --frozen python scripts/mutation_score.py

clean:
	rm -rf var .venv .pytest_cache .ruff_cache .mypy_cache
