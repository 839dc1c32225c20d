# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo test install system-deps demo-deps bench clean

# Debian packages, installed only when missing and only where we may (root);
# otherwise we say what is needed. The demo writes every report form, the table
# picture included: it needs a CJK font (reports are Chinese). The tests also
# drive a headless browser, read the picture back with OCR and start redis-server
# (the distributed crawl).
DEMO_PACKAGES := fonts-noto-cjk fontconfig
TEST_PACKAGES := $(DEMO_PACKAGES) chromium tesseract-ocr tesseract-ocr-chi-sim redis-server

define install_packages
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "note: missing Debian packages ($$missing); run 'sudo apt-get install $$missing'"; \
	fi
endef

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's dependencies change. `install` (and `test`)
# add the test tools; the demo needs only govfresh itself.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

install: $(STAMP)

demo: $(RUNTIME_STAMP) demo-deps
	$(BIN)/govfresh demo --out out/demo

demo-deps:
	$(call install_packages,$(DEMO_PACKAGES))

system-deps:
	$(call install_packages,$(TEST_PACKAGES))

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

# The crawl bench serves its portal with nginx (Debian package; only the bench needs it)
# and compares with urlwatch (the `bench` extra).
bench: $(STAMP)
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; \
		else echo "note: nginx is missing; run 'sudo apt-get install nginx-light' (or bench/crawl.py --server python)"; exit 1; fi; }
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/browser.py

clean:
	rm -rf $(VENV) out .pytest_cache
