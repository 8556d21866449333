"""A Neo4j Browser guide to the query library: one slide per query, with its purpose, its
parameters and the whole file (its `:param` lines first) as a block a click puts into the
editor. Made from the library itself, so it never falls behind it.

Neo4j Browser fetches a guide (`:guide URL`) from a host its allowlist names (localhost by
default) that allows cross-origin requests: `resolver guide --serve` serves it so, on the
loopback interface only, until Ctrl-C.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from resolver.graph.library import load_queries

NAME = "resolver-guide.html"
HOST = "127.0.0.1"
DEFAULT_PORT = 8765

MODEL = """(Trader)-[:OPERATES]->(Account)-[:SOLD]->(Order)
(Account)-[:REGISTERED_WITH]->(Phone | Address | BankAccount | PaymentAccount | IdNumber | Name)
(Order)-[:SHIPS_TO]->(Phone | Address)
(Account)-[:LINKED {probability}]->(Account)      scored links
(Account)-[:JUDGED {verdict, author, reason}]->(Account)
(Account)-[:DISCLOSED_IN {sheet, row}]->(Disclosure)
(Trader)-[:MERGED_INTO]->(Trader)                 retired ids"""


def guide_html() -> str:
    """The guide: an introduction, one slide per query of the library, and styling."""
    slides = [
        _slide(
            "resolver",
            "The case's graph: every account of a trader, its orders, and what ties them.",
            "<p>Each following slide is one question of the query library (the same files "
            "<code>resolver query</code> runs). Click a code block to put it in the editor, "
            "change the <code>:param</code> values at its top, and run it (Ctrl+Enter). The "
            "<code>:param</code> lines set the parameters; the query follows them.</p>"
            f"<pre>{escape(MODEL)}</pre>"
            "<p>Hub identifiers (an agency's phone, a market building) carry "
            "<code>hub: true</code> and masked keys <code>masked: true</code>: the library's "
            "queries do not connect traders through them.</p>",
        )
    ]
    for query in load_queries().values():
        rows = "".join(
            f"<tr><td><code>{escape(p.name)}</code></td><td>{escape('|'.join(p.kinds))}</td>"
            f"<td>{escape(p.default or 'required')}</td><td>{escape(p.description)}</td></tr>"
            for p in query.parameters
        )
        table = (
            "<table class='table'><tr><th>parameter</th><th>type</th><th>default</th>"
            f"<th>meaning</th></tr>{rows}</table>"
            if rows
            else ""
        )
        slides.append(
            _slide(
                query.name,
                query.purpose,
                f"{table}<figure><pre class='pre-scrollable code runnable'>"
                f"{escape(query.browser_text)}</pre><figcaption>Click to edit, then run. From the "
                f"command line: <code>{escape(query.example or 'resolver query ' + query.name)}"
                "</code></figcaption></figure>",
            )
        )
    slides.append(
        _slide(
            "Styling",
            "Colours and captions for the graph's labels.",
            "<p>Drag <code>cypher/resolver.grass</code> (shipped with resolver) onto the "
            "Browser, or run <code>:style</code> and paste it.</p>",
        )
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>resolver: the query library"
        "</title></head><body><article class='guide'><carousel class='deck container-fluid'>"
        + "".join(slides)
        + "</carousel></article></body></html>"
    )


def _slide(title: str, lead: str, body: str) -> str:
    return (
        "<slide class='row-fluid'><div class='col-sm-3'>"
        f"<h3>{escape(title)}</h3><p class='lead'>{escape(lead)}</p></div>"
        f"<div class='col-sm-9'>{body}</div></slide>"
    )


@dataclass
class GuideServer:
    """The guide, served on the loopback interface: `command` is what to type in Neo4j
    Browser; `stop()` ends it."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:  # localhost: the name Neo4j Browser's default allowlist holds
        return f"http://localhost:{self.server.server_address[1]}/{NAME}"

    @property
    def command(self) -> str:
        return f":guide {self.url}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def serve(port: int = DEFAULT_PORT) -> GuideServer:
    """Serve the guide on 127.0.0.1:`port` (0: any free port), to any origin (it holds no
    case data: only the library's queries)."""
    page = guide_html().encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != f"/{NAME}":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:  # quiet: the command prints the address
            pass

    server = ThreadingHTTPServer((HOST, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return GuideServer(server, thread)
