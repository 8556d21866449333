"""The report as a PDF, printed from its HTML by a Chromium-family browser the user has
(Chromium, Chrome or Edge): the same page and print styles a person gets from the browser's own
print, with searchable text and the fonts embedded. No PDF library renders Chinese text, CSS
page boxes and SVG as faithfully, and none is needed where a browser is installed.

The browser is found on PATH (or named by RESOLVER_BROWSER), runs headless with a throwaway
profile in an owner-only scratch folder, reaches nothing on the network, and is ended with
everything it started, however the command ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from resolver.errors import ResolverError
from resolver.processes import die_with_parent
from resolver.progress import Progress, silent
from resolver.reporting.content import Report
from resolver.reporting.html import write as write_page

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
            "microsoft-edge", "msedge")  # fmt: skip
INSTALLED = (  # where macOS and Windows install them, off PATH
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
)
SECONDS_PER_MB = 60  # time a browser is given per MB of HTML (at least PRINT_SECONDS)
PRINT_SECONDS = 120


def find_browser() -> str:
    """The browser that prints PDFs: RESOLVER_BROWSER, else the first of BROWSERS on PATH,
    else one installed in its usual place."""
    named = os.environ.get("RESOLVER_BROWSER")
    if named:
        found = shutil.which(named)
        if not found:
            raise ResolverError(f"RESOLVER_BROWSER={named}: no such program")
        return found
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    for path in INSTALLED:
        if Path(path).is_file():
            return path
    raise ResolverError(
        "a PDF is printed by a Chromium-family browser, and none was found: install Chromium "
        "(Debian/Ubuntu: apt-get install chromium), Chrome or Edge, or name one with "
        "RESOLVER_BROWSER; or write the report as .html and print it from any browser"
    )


def write(report: Report, out: Path, progress: Progress = silent) -> None:
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="resolver-pdf-") as scratch:  # 0700
        html = Path(scratch) / "report.html"
        write_page(report, html, progress)
        progress("printing the PDF in the browser")
        command = [
            browser, "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-quic",
            "--disable-extensions", f"--user-data-dir={Path(scratch) / 'profile'}",
            "--no-pdf-header-footer", f"--print-to-pdf={out}", html.as_uri(),
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses root without it
        timeout = max(PRINT_SECONDS, SECONDS_PER_MB * html.stat().st_size / 2**20)
        _run(command, timeout)
    if not out.is_file() or out.stat().st_size == 0:
        raise ResolverError(f"{browser} wrote no PDF for {out.name}")


def _run(command: list[str], timeout: float) -> None:
    """Run the browser in a process group of its own, ended whole when it is done, fails, runs
    out of time or the command is interrupted."""
    parent = os.getpid()
    linux = sys.platform.startswith("linux")
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=(lambda: die_with_parent(parent)) if linux else None,
    )  # fmt: skip
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ResolverError(
            f"the browser did not print the PDF within {timeout:.0f} s: report fewer networks "
            "to PDF, or write .html or .xlsx"
        ) from None
    finally:
        _end_group(process)
    if process.returncode != 0:
        said = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise ResolverError(f"the browser could not print the PDF: {said[0]}")


def _end_group(process: subprocess.Popen[bytes]) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    process.wait()
