"""Serve the simulated county on loopback: `with DemoPortal(today) as portal: ...`.

The loopback server (demo/loopback.py) answers from `demo.pages.Site`. Bodies
hold root-relative links only, so the same `today` gives the same bytes
whatever port the portal lands on.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from demo import county as county_module
from demo.loopback import LoopbackServer, Request, free_port
from demo.pages import Site


class DemoPortal:
    """The simulated 清河县 portal for one `today`, served on loopback."""

    def __init__(self, today: date | None = None, host: str = "127.0.0.1", port: int = 0):
        self.today = today or date.today()
        self.host, self.port = host, port
        self.site = Site(self.today)
        self.base_url: str | None = None            # http://127.0.0.1:PORT once started
        self.refused_base_url: str | None = None    # where the unreachable unit "lives"
        self._server: LoopbackServer | None = None

    def _answer(self, request: Request) -> None:
        response = self.site.respond(request.url_path, request.query, request.body,
                                     request.headers.get("Cookie") or "")
        request.reply(response.status, [("Content-Type", response.content_type), *response.headers], response.body)

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        self._server = LoopbackServer(self._answer, host=self.host, port=self.port).start()
        self.port = self._server.port
        self.base_url = self._server.url
        # Picked while our own port is held, so it cannot be the same one.
        self.refused_base_url = f"http://{self.host}:{free_port(self.host)}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> DemoPortal:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what the portal holds ------------------------------------------------
    def url(self, path: str = "/") -> str:
        self._require_started()
        return self.base_url + path

    def units(self) -> list[dict]:
        """sites.yaml units: name, kind, url of the disclosure page."""
        self._require_started()
        return county_module.sites_entries(self.site.county, self.base_url, self.refused_base_url)

    def sites(self, path: str | Path) -> Path:
        """Write a sites.yaml for this portal and return its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"county": county_module.COUNTY, "units": self.units()}
        header = f"# govfresh demo portal {self.base_url}, today = {self.today.isoformat()}\n"
        path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    def expected(self, browser: bool | None = None) -> dict:
        """The correct crawl result for this portal: see `demo.county.expected`.

        `browser`: whether the crawl has one; None: whether this machine has Chromium for it.
        """
        self._require_started()
        if browser is None:
            from crawler.browser import chromium_path
            browser = chromium_path() is not None
        return county_module.expected(self.today, self.base_url, self.refused_base_url, browser)

    def _require_started(self) -> None:
        if self.base_url is None:
            raise RuntimeError("DemoPortal is not started: call start() or use it as a context manager")
