"""The review page: `resolver review --web`, a local web page over the review queue.

It listens on 127.0.0.1 only, on a port the system picks, and answers only requests that carry
the random token of its address (and name that address as their host, so that no other site
can reach it through a name that points at this machine). Pages hold no script and load
nothing from elsewhere. Each pair is shown side by side — what each account disclosed, the
evidence, the match-weight chart, the self-purchase orders between them — with a form that
records a judgement in the case's ledger, as `resolver judge` does.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jinja2
import pandas as pd

from resolver import workflows
from resolver.case import Case
from resolver.config import Config
from resolver.errors import ResolverError
from resolver.i18n import words
from resolver.reasons import worded_purchases

TEMPLATES = Path(__file__).parent / "templates"
HOST = "127.0.0.1"
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


@dataclass
class ReviewServer:
    """A running review page: open `url` in a browser; `stop()` ends it."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    token: str
    judged: list[str]  # the judgements recorded through the page, in words

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_port}/?{urlencode({'token': self.token})}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def start(
    case: Case, config: Config | None = None, limit: int = 50, only: str | None = None
) -> ReviewServer:
    """Serve the review page of `case` (of one part of the queue: `only`) in a thread, on
    127.0.0.1 and a free port."""
    settings = config or Config()
    token = secrets.token_urlsafe(24)
    lock = threading.Lock()  # one request at a time on the case's connection
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    judged: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # no access log: it would name accounts
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if not self._allowed(query.get("token")):
                return
            with lock:
                if url.path == "/":
                    queue = workflows.review(case, settings, limit, only)
                    self._page("queue.html.j2", items=queue.to_dict(orient="records"))
                elif url.path == "/pair" and "a" in query and "b" in query:
                    self._pair(query["a"], query["b"], message=query.get("message"))
                else:
                    self._plain(HTTPStatus.NOT_FOUND, "no such page")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/judge":
                self._plain(HTTPStatus.NOT_FOUND, "no such page")
                return
            if not self._allowed(form.get("token")):
                return
            a, b = form.get("a", ""), form.get("b", "")
            with lock:
                try:
                    result = workflows.judge(
                        case, a, b, form.get("verdict", ""), form.get("reason"),
                        form.get("by") or None, form.get("evidence"), settings, graph=False,
                    )  # fmt: skip
                    said = f"Recorded {result.judgements[0].words}"
                    judged.append(said)
                except ResolverError as err:
                    said = f"Not recorded: {err}"
            back = urlencode({"token": token, "a": a, "b": b, "message": said})
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", f"/pair?{back}")
            self.end_headers()

        def _allowed(self, given: str | None) -> bool:
            host = self.headers.get("Host", "")
            if host != f"{HOST}:{server.server_port}":
                self._plain(HTTPStatus.FORBIDDEN, "this page answers at 127.0.0.1 only")
                return False
            if given is None or not secrets.compare_digest(given, token):
                self._plain(HTTPStatus.FORBIDDEN, "open the address resolver printed")
                return False
            return True

        def _pair(self, a: str, b: str, message: str | None) -> None:
            try:
                view = pair_view(case, a, b, settings)
            except ResolverError as err:
                self._plain(HTTPStatus.NOT_FOUND, str(err))
                return
            self._page("pair.html.j2", message=message, **view)

        def _page(self, template: str, **values: object) -> None:
            body = environment.get_template(template).render(token=token, **values).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", POLICY)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _plain(self, status: HTTPStatus, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return ReviewServer(server, thread, token, judged)


def pair_view(case: Case, a: str, b: str, config: Config) -> dict:
    """What the pair page shows: both accounts' disclosures side by side, the explanation
    and its chart, the judgement in force, and the self-purchase orders between them."""
    from resolver.linkage.explain import as_text, chart

    why = workflows.explain(case, a, b, config, lang="en")  # the page is in English
    disclosed = case.records.disclosed([a, b])
    sides = {account: disclosed[disclosed["account_id"] == account].to_dict(orient="records")
             for account in (a, b)}  # fmt: skip
    traders = case.traders.of([a, b])
    bought = case.orders.self_purchases_of(
        pd.DataFrame({"account_id": [a, b], "network_id": "pair"})
    )
    between = [
        row for row in worded_purchases(bought, words("en")).to_dict(orient="records")
        if ({row["seller"]} | set(row["shipped_to_registrant_of"])) >= {a, b}
    ]  # fmt: skip
    return {
        "a": a, "b": b, "sides": sides, "traders": traders, "why": why,
        "explanation": as_text(why), "chart": chart(why), "purchases": between,
    }  # fmt: skip
