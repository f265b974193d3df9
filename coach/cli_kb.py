"""`coach kb`: build, inspect, search and export the knowledge base (a face: parse, call, print)."""

from __future__ import annotations

from pathlib import Path

import typer

from coach.cli_files import print_json
from coach.errors import BadInput

kb_app = typer.Typer(help="Build, inspect, search and export the knowledge base.", no_args_is_help=True)


@kb_app.command("build")
def kb_build(
    force: bool = typer.Option(False, "--force", help="Drop the index and embed everything again."),
    catalog: list[Path] = typer.Option(
        None,
        "--catalog",
        help="A bring-your-own catalogue folder (CSV/JSON); may be repeated. Replaces the folders of earlier builds.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON."),
) -> None:
    """Build or update the search index from knowledge_base/ (incremental; a rerun finishes a killed build)."""
    from coach import knowledge
    from coach.context import process_context
    from coach.planner.fit import prepare_field_fit
    from coach.retrieval import build_index
    from coach.settings import get_settings

    settings = get_settings()
    # Without --catalog the folders registered by an earlier `--catalog` build stay in, so the index always
    # matches what get_catalog() serves to the rest of the product.
    dirs = list(catalog) if catalog else knowledge.registered_catalog_dirs()
    cat = knowledge.load_catalog(catalog_dirs=dirs)
    # Bad rows of a bring-your-own catalogue are reported one per line; the good rows are still indexed.
    for problem in getattr(cat, "errors", []) or []:
        typer.echo(f"catalogue: {problem}", err=True)
    report = build_index(cat, settings, force=force, progress=True)
    prepare_field_fit(cat, process_context().embedder, settings.home / "cache")  # first plans need not wait
    if catalog:
        knowledge.register_catalog_dirs(catalog)
    if as_json:
        print_json(report.model_dump())
        return
    docs = ", ".join(f"{n:,} {k}{'' if k == 'guidance' else 's'}" for k, n in report.documents.items())
    typer.echo(
        f"Index ready in {report.seconds:.1f} s: {docs}. Embedded {report.total_embedded:,}, "
        f"deleted {sum(report.deleted.values()):,}, unchanged {sum(report.unchanged.values()):,} "
        f"({report.index_path})."
    )


@kb_app.command("stats")
def kb_stats(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Counts of occupations, skills, credentials, rules and guidance, and the documents indexed per kind."""
    from coach.context import process_context
    from coach.retrieval import index_stats

    ctx = process_context()
    stats = index_stats(ctx.settings, ctx.catalog)
    breakdown = ctx.catalog.breakdown()
    if as_json:
        print_json({**stats, "credentials_by": breakdown})
        return
    for key, n in stats.items():  # the catalogue's counts, in its order (occupations ... rules, guidance)
        if isinstance(n, int) and key != "indexed_total":
            typer.echo(f"{key.replace('_', ' '):<18} {n:>8,}")
    if "indexed" in stats:
        for name, n in stats["indexed"].items():
            typer.echo(f"{'indexed ' + name:<18} {n:>8,}")
    for group, counts in breakdown.items():
        typer.echo(
            f"credentials by {group.replace('_', ' ')}: " + ", ".join(f"{k} {n:,}" for k, n in counts.items())
        )
    if not stats["index"]["built"]:
        typer.echo("index: not built (run `coach kb build`)")


@kb_app.command("search")
def kb_search(
    query: str = typer.Argument(..., help="What to look for, in words, a name, an acronym or an exam code."),
    kind: str | None = typer.Option(None, "--kind", help="credential | occupation | skill | rule | guidance"),
    k: int = typer.Option(10, "--k", "-k", help="How many hits."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    provider: str | None = typer.Option(None, "--provider", help="Only credentials of this provider."),
    level: str | None = typer.Option(None, "--level", help="entry | intermediate | advanced | expert"),
    max_cost: float | None = typer.Option(None, "--max-cost", help="Only credentials with a known cost ≤ X."),
) -> None:
    """Hybrid (dense + lexical) search over the knowledge base; every hit shows its source."""
    from coach import retrieval
    from coach.context import process_context

    if not query.strip():
        raise BadInput("the search query is empty")
    the_kind = retrieval.normalise_kind(kind)  # bad input is reported before the index is opened
    retrieval.normalise_level(level)
    hits = process_context().index.search(
        query, kind=the_kind, k=k, provider=provider, level=level, max_cost=max_cost
    )
    if as_json:
        print_json({"query": query, "kind": the_kind, "hits": [h.model_dump() for h in hits]})
        return
    if not hits:
        typer.echo("No matches.")
        return
    for rank, hit in enumerate(hits, 1):
        typer.echo(f"{rank:>2}. {hit.score:6.3f}  {hit.title}  [{hit.kind} {hit.id}]")
        meta = hit.metadata
        facts = [str(meta[f]) for f in ("provider", "type", "level") if meta.get(f)]
        if meta.get("cost") is not None:
            facts.append(f"{meta.get('currency') or ''} {meta['cost']:,.0f}".strip())
        if facts:
            typer.echo("      " + " · ".join(facts))
        if hit.kind == "guidance":  # the answer, then every page it rests on
            typer.echo("      " + hit.snippet)
        for src in hit.citations:
            dated = f" ({src.as_of})" if src.as_of else ""
            typer.echo(f"      source: {src.name}" + (f" — {src.url}" if src.url else "") + dated)


@kb_app.command("show")
def kb_show(
    credential: str = typer.Argument(..., help="A credential id, name, abbreviation or exam code."),
    as_json: bool = typer.Option(False, "--json", help="Print the full record as JSON."),
) -> None:
    """One credential: every field, its skills, its sources (with kind and date) and its recognition."""
    from coach.context import process_context
    from coach.knowledge.export import credential_record

    catalog = process_context().catalog
    cred = (
        catalog.credentials.get(credential)
        or catalog.apprenticeships.get(credential)
        or catalog.find_credential(credential)
    )
    if cred is None:
        raise BadInput(f"no credential {credential!r} in the knowledge base (try `coach kb search`)")
    record = credential_record(catalog, cred)
    if as_json:
        print_json(record)
        return
    typer.echo(
        f"{cred.name} [{cred.id}] — {cred.provider}, {cred.type}{f', {cred.level}' if cred.level else ''}"
    )
    if cred.cost is not None:
        approx = "about " if cred.cost_approximate else ""
        typer.echo(
            f"  price: {approx}{cred.currency} {cred.cost:,.2f}"
            + (f" ({cred.cost_note})" if cred.cost_note else "")
        )
    else:
        typer.echo(
            "  price: not stated by an acceptable source" + (f" ({cred.cost_note})" if cred.cost_note else "")
        )
    for label, value in (
        ("prerequisites", cred.prerequisites),
        ("renewal", cred.renewal),
        ("page", cred.url),
    ):
        if value:
            typer.echo(f"  {label}: {value}")
    if record["skills"]:
        typer.echo("  skills: " + "; ".join(s["label"] for s in record["skills"]))
    for sig in record["recognition"]:
        typer.echo(f"  recognition: {sig['label']} — {sig['url']}")
    for src in record["sources"]:
        typer.echo(
            f"  source ({src['source_kind'] or 'kind not stated'}, {src['as_of'] or 'n.d.'}): "
            f"{src['name']}" + (f" — {src['url']}" if src["url"] else "")
        )


@kb_app.command("export")
def kb_export(
    kind: str = typer.Option("credential", "--kind", help="credential or apprenticeship (the register's)."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl (one full record per line) or ctdl (JSON-LD)."),
    sector: str | None = typer.Option(None, "--sector", help="Only credentials of this sector."),
) -> None:
    """Write the catalogue's credentials (or registered apprenticeships, with `onet_soc`, `esco_occupation` and
    term) to stdout as JSON lines or CTDL JSON-LD."""
    import json
    import sys

    from coach.context import process_context
    from coach.knowledge.export import credential_record, credentials_ctdl

    if kind not in ("credential", "apprenticeship"):
        raise BadInput(f"--kind must be credential or apprenticeship, got {kind!r}")
    if fmt not in ("jsonl", "ctdl"):
        raise BadInput(f"--format must be jsonl or ctdl, got {fmt!r}")
    catalog = process_context().catalog
    pool = catalog.credentials if kind == "credential" else catalog.apprenticeships
    creds = [c for _, c in sorted(pool.items()) if sector is None or c.sector == sector]
    if fmt == "ctdl":
        print_json(credentials_ctdl(catalog, creds))
        return
    for cred in creds:
        sys.stdout.write(json.dumps(credential_record(catalog, cred), ensure_ascii=False) + "\n")
