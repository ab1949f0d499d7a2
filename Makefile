# The README's two commands: `make run` and `make test`. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_RUNTIME := src/cloudlet/services/lambda_/runtime/node
ARGS ?=
# After the suite on $(PYTHON), it runs again on these where the machine has them, on the PATH or
# installed by pyenv (each in its own venv): cloudlet supports Python 3.11+, and asyncio's rules
# differ between versions (wait_for needs a Task from 3.12 on). Empty to skip: make test OTHER_PYTHONS=
OTHER_PYTHONS ?= python3.12 python3.13

.PHONY: run test suite lint bench clean

$(STAMP): pyproject.toml $(NODE_RUNTIME)/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The AWS SDK for JavaScript v3 that Node.js functions find, as on AWS (skipped without npm).
	if command -v npm >/dev/null; then mkdir -p $(VENV)/lambda-node && \
	  cp $(NODE_RUNTIME)/package.json $(NODE_RUNTIME)/package-lock.json $(VENV)/lambda-node/ && \
	  npm ci --prefix $(VENV)/lambda-node --no-audit --no-fund --silent; fi
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cloudlet start $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples

# aws-sdk v2 for the test of functions that bundle it (seed 001's code).
$(VENV)/test-node-v2/.installed: tests/fixtures/node-sdk-v2/package-lock.json $(STAMP)
	mkdir -p $(VENV)/test-node-v2
	cp tests/fixtures/node-sdk-v2/package.json tests/fixtures/node-sdk-v2/package-lock.json $(VENV)/test-node-v2/
	npm ci --prefix $(VENV)/test-node-v2 --no-audit --no-fund --silent
	touch $@

test: lint suite
	@for py in $(OTHER_PYTHONS); do \
	  exe=$$($$py -c 'import sys; print(sys.executable)' 2>/dev/null || \
	        ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$${py#python}.*/bin/$$py 2>/dev/null | tail -n 1); \
	  if [ -n "$$exe" ]; then \
	    echo "== the suite on $$exe"; $(MAKE) --no-print-directory suite PYTHON=$$exe VENV=.venv-$$py || exit 1; \
	  else echo "== $$py not found: the suite ran on $(PYTHON) only"; fi; done

suite: $(STAMP) $(VENV)/test-node-v2/.installed
	$(BIN)/python -m pytest -n 2 tests $(ARGS)

bench: $(STAMP)
	$(BIN)/python bench/dynamodb_bench.py $(ARGS)

clean:
	rm -rf $(VENV) .venv-python3.* .cloudlet
