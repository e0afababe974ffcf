"""``bench``: measure our maps against plain folium, and at scale; write BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("bench")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The layers folder.")
@click.option("--quick", is_flag=True, help="A reduced set (fewer runs, no 10k/100k layers): for tests.")
@click.option("--out", "out", default="BENCHMARKS.md", show_default=True, type=click.Path(dir_okay=True),
              help="Where the report goes (a folder: BENCHMARKS.md inside it).")
@click.option("--no-browser", is_flag=True, help="Skip the Chromium measurements (sizes, builds, simplification only).")
def bench(layers_dir, quick, out, no_browser):
    """Benchmark the overview against plain folium, then synthetic layers of 1k-100k features.

    Prints the machine, the simplification numbers, page sizes, build times (whole CLI
    processes) and load-to-drawn and toggle times in headless Chromium, and writes them all to
    BENCHMARKS.md (or --out). Needs /usr/bin/chromium and playwright unless --no-browser.
    """
    from ..bench import format_report, run_bench

    target = Path(out)
    if target.is_dir():
        target = target / "BENCHMARKS.md"
    res = run_bench(layers_dir, quick=quick, browser=not no_browser, echo=lambda s: click.echo(s, err=True))
    args = " ".join(a for a, on in (("--quick", quick), ("--no-browser", no_browser)) if on)
    text = format_report(res, command="python -m geo bench" + (f" {args}" if args else ""))
    click.echo(text)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}", err=True)
    return 0
