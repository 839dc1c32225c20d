# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install system-deps bench clean

# Debian packages the browser and picture checks use: a headless browser, a CJK
# font (reports are Chinese), and OCR to read the picture back. Installed only
# when missing, and only where we may (root); otherwise we say what is needed.
SYSTEM_PACKAGES := chromium fonts-noto-cjk fontconfig tesseract-ocr tesseract-ocr-chi-sim

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) system-deps
	$(BIN)/govfresh demo --out out/demo

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "note: missing Debian packages ($$missing); run 'sudo apt-get install $$missing' for the browser and picture checks"; \
	fi

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

clean:
	rm -rf $(VENV) out .pytest_cache
