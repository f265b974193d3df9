"""The `coach` command line (Typer). A face: it parses arguments, calls core functions, prints results.

Every `CoachError` (and bad input of any kind) becomes one line on stderr and a non-zero exit, never a
traceback. The contract of each command is in DESIGN.md and the README.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from coach.cli_files import load_json_arg, print_json, read_text_arg
from coach.cli_kb import kb_app
from coach.errors import BadInput, CoachError
from coach.settings import settings_problem

app = typer.Typer(
    name="coach",
    help="Pathway Coach: plan stacked microcredential pathways grounded in real catalogues.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
skills_app = typer.Typer(help="Link text to ESCO skills.", no_args_is_help=True)
roles_app = typer.Typer(help="Link job titles to occupations.", no_args_is_help=True)
posting_app = typer.Typer(help="Analyse job postings.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(skills_app, name="skills")
app.add_typer(roles_app, name="roles")
app.add_typer(posting_app, name="posting")


# ---- skills / roles: the taxonomy linker (issue 3) -------------------------------------------------------------


def _stream_rank(what: str, key: str, top: int, precise: bool = False) -> None:
    """Read JSON lines {"id", "text"} on stdin and write one JSON line per input, flushed as it goes.

    Lines already waiting on stdin are ranked together (one embedding call), so a piped file runs in batches
    while an interactive stream still gets each answer at once. A bad line gets {"id", "error"} and the
    stream goes on.
    """
    from coach.context import process_context
    from coach.skills import iter_stdin_batches, parse_rank_line

    if top < 1:
        raise BadInput("--top must be at least 1")
    linker = process_context().linker
    if what == "skills":

        def rank(texts: list[str], k: int) -> list[Any]:
            return linker.rank_skills_batch(texts, k, precise=precise)

    else:

        def rank(texts: list[str], k: int) -> list[Any]:
            return linker.rank_roles_batch(texts, k)

    for batch in iter_stdin_batches(sys.stdin):
        parsed = [p for p in (parse_rank_line(raw) for raw in batch) if p is not None]
        texts = [text for _, text, err in parsed if err is None]
        ranked: Iterator[list[Any]] | None
        try:
            ranked = iter(rank(texts, top))
        except CoachError:
            ranked = None  # one bad text must not stop the stream: rank the batch one by one
        for rid, text, err in parsed:
            row: dict[str, Any] = {"id": rid}
            if err is None:
                try:
                    row[key] = [
                        r.model_dump(exclude_none=True)
                        for r in (next(ranked) if ranked else rank([text], top)[0])
                    ]
                except CoachError as exc:
                    err = exc.message
            if err is not None:
                row = {"id": rid, "error": err}
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@skills_app.command("rank")
def skills_rank(
    top: int = typer.Option(10, "--top", help="How many skills per line."),
    precise: bool = typer.Option(
        False, "--precise", help="Also embed each candidate phrase: about 3× slower, a little more accurate."
    ),
) -> None:
    """Rank ESCO skills for JSON lines {"id", "text"} on stdin; one JSON line {"id", "skills"} per input."""
    _stream_rank("skills", "skills", top, precise)


@roles_app.command("rank")
def roles_rank(
    top: int = typer.Option(10, "--top", help="How many occupations per line."),
) -> None:
    """Rank ESCO occupations for job titles given as JSON lines {"id", "text"} on stdin."""
    _stream_rank("roles", "roles", top)


# ---- posting (issue 3) -----------------------------------------------------------------------------------------


def _posting_profile(path: str) -> Any:
    """Read a profile JSON file into a Profile, with a one-line error when it is missing or malformed."""
    from pydantic import ValidationError

    from coach.models import Profile

    data = load_json_arg(path, what="profile")
    if not isinstance(data, dict):
        raise BadInput("profile must be a JSON object (see the README for the format)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "profile"
        raise BadInput(f"profile is not valid: {where}: {err.get('msg', 'invalid value')}") from exc


@posting_app.command("analyze")
def posting_analyze(
    file: str = typer.Argument(..., help="Posting text file, or - for stdin."),
    profile: str | None = typer.Option(None, "--profile", help="Profile JSON to match against."),
    as_json: bool = typer.Option(False, "--json", help="Print the PostingAnalysis as one JSON document."),
) -> None:
    """Analyse a job posting: requirements as spans with ESCO skills; with --profile, the honest match."""
    from coach.context import process_context
    from coach.postings import summary_lines

    prof = _posting_profile(profile) if profile else None
    text = read_text_arg(file, what="posting")
    analysis = process_context().analyze_posting(text, prof)
    if as_json:
        print_json(analysis.model_dump(mode="json"))
        return
    for line in summary_lines(analysis):
        typer.echo(line)


# ---- plan (issue 4) --------------------------------------------------------------------------------------------


def _plan_profile(path: str) -> Any:
    """Read a profile JSON file into a Profile with a one-line error."""
    from pydantic import ValidationError

    from coach.models import Profile

    data = load_json_arg(path, what="profile")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "(root)"
        raise BadInput(f"profile is not valid: {where}: {first.get('msg')}") from exc


@app.command("plan")
def plan_cmd(
    profile: str = typer.Option(..., "--profile", help="Profile JSON (the format in the README)."),
    role: str | None = typer.Option(None, "--role", help="Target role: O*NET-SOC code, ESCO URI or title."),
    posting: str | None = typer.Option(
        None,
        "--posting",
        help="Target posting: its text, or analysis JSON from `coach posting analyze --json`.",
    ),
    # bounds are the planner's (one-line errors), the same as the API's
    budget: float | None = typer.Option(
        None, "--budget", help="Most you will spend (overrides the profile)."
    ),
    hours_per_week: float | None = typer.Option(
        None, "--hours-per-week", help="Study hours a week (0.5 to 100)."
    ),
    weeks: int | None = typer.Option(None, "--weeks", help="Weeks available (1 to 520)."),
    alternatives: int = typer.Option(0, "--alternatives", help="Also show up to K different pathways."),
    max_items: int | None = typer.Option(None, "--max-items", help="At most this many steps."),
    provider: list[str] = typer.Option(None, "--provider", help="Only this provider (repeatable)."),
    exam_only: bool | None = typer.Option(None, "--exam-only/--with-courses", help="Certifications only."),
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD the calendar starts from."),
    time_limit: float = typer.Option(5.0, "--time-limit", help="Solver time limit in seconds."),
    step_overhead: float | None = typer.Option(
        None, "--step-overhead", help="Relevance a step must close to be added (default 1; 0: pure coverage)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the Pathway as JSON."),
    ctdl: bool = typer.Option(False, "--ctdl", help="Print the pathway as CTDL JSON-LD."),
) -> None:
    """Plan a stacked pathway to a role or posting within budget and time, with its status and reasons."""
    import datetime as dt

    from coach import planner
    from coach.models import PostingAnalysis

    prof = _plan_profile(profile)  # first: a broken profile is the error to report, whatever the flags
    if role and posting:
        raise BadInput("give one target, not both: --role ID_OR_TITLE or --posting FILE")
    if not role and not posting and not (prof.target.role or prof.target.posting):
        raise BadInput("no target: give --role ID_OR_TITLE or --posting FILE, or a target in the profile")
    start = None
    if today:
        try:
            start = dt.date.fromisoformat(today)
        except ValueError as exc:
            raise BadInput(f"--today must be YYYY-MM-DD, not {today!r}") from exc
    from coach.context import process_context

    ctx = process_context()
    analysis = None
    if posting:
        text = read_text_arg(posting, what="posting")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "requirements" in data:
            analysis = PostingAnalysis.model_validate(data)
        else:
            analysis = ctx.analyze_posting(text, prof)
    pathway = ctx.plan_pathway(
        prof,
        role=role,
        posting=analysis,
        budget=budget,
        hours_per_week=hours_per_week,
        weeks=weeks,
        alternatives=alternatives,
        max_items=max_items,
        providers=provider or None,
        exam_only=exam_only,
        time_limit_s=time_limit,
        today=start,
        step_overhead=planner.STEP_OVERHEAD if step_overhead is None else step_overhead,
    )
    if ctdl:
        print_json(planner.pathway_to_ctdl(pathway))
    elif json_out:
        print_json(pathway.model_dump(mode="json"))
    else:
        typer.echo(planner.pathway_text(pathway))


# ---- draft (issue 5) -------------------------------------------------------------------------------------------

_DRAFT_FORMATS = ("markdown", "docx", "json-resume", "open-badges", "json")


def _load_model(what: str, path: str, model_cls: Any) -> Any:
    """Read a JSON file into a pydantic model, turning validation errors into one clear line."""
    from pydantic import ValidationError

    data = load_json_arg(path, what=what)
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "(root)"
        raise BadInput(f"{what} is not valid: {where}: {first.get('msg')}") from exc


@app.command("draft")
def draft_cmd(
    profile: str = typer.Option(..., "--profile", help="Profile JSON (the format in the README)."),
    plan: str | None = typer.Option(None, "--plan", help="Pathway JSON as printed by `coach plan --json`."),
    posting: str | None = typer.Option(
        None,
        "--posting",
        help="A posting: analysis JSON (`coach posting analyze --json`) or the posting text.",
    ),
    fmt: str = typer.Option(
        "markdown", "--format", help="markdown | docx | json-resume | open-badges | json"
    ),
    out: str | None = typer.Option(None, "--out", help="Write here instead of stdout (required for docx)."),
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD that expected dates count from."),
    sign: bool = typer.Option(
        True, "--sign/--no-sign", help="Sign Open Badges as VC-JWTs (Ed25519, did:key)."
    ),
    key: str | None = typer.Option(None, "--key", help="Ed25519 PEM key for signing (created if missing)."),
    offline: bool = typer.Option(
        False, "--offline", help="Never use a chat model, even if one is configured."
    ),
) -> None:
    """Draft resume bullets, LinkedIn texts, a cover letter, STAR points and a pitch; export them."""
    from datetime import date

    from coach.models import Pathway, PostingAnalysis, Profile

    if fmt not in _DRAFT_FORMATS:
        raise BadInput(f"unknown --format {fmt!r}: use one of {', '.join(_DRAFT_FORMATS)}")
    if fmt == "docx" and not out:
        raise BadInput("--format docx needs --out PATH.docx")
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise BadInput(f"--today must be YYYY-MM-DD, not {today!r}") from exc
    learner = _load_model("profile", profile, Profile)
    pathway = _load_model("plan", plan, Pathway) if plan else None

    from coach import presenter
    from coach.context import process_context

    ctx = process_context()
    catalog = ctx.catalog
    presenter.check_inputs(learner, pathway, catalog)  # fail fast, before any posting analysis or model call
    analysis, posting_text = None, None
    if posting:
        text = read_text_arg(posting, what="posting")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "requirements" in data:
            analysis = _load_model("posting", posting, PostingAnalysis)
        else:
            posting_text = text
            analysis = ctx.analyze_posting(text, learner)
    model = None
    if not offline and ctx.settings.use_remote_model:
        model = ctx.chat_model
    drafts = presenter.draft_all(
        learner, pathway, analysis, model=model, today=day, catalog=catalog, posting_text=posting_text
    )
    from coach.presenter import exports

    if fmt == "docx":
        assert out is not None
        path = exports.to_docx(drafts, out)
        typer.echo(f"wrote {path}", err=True)
        return
    if fmt == "markdown":
        payload = exports.to_markdown(drafts)
    elif fmt == "json":
        payload = drafts.model_dump_json(indent=2) + "\n"
    elif fmt == "json-resume":
        document = exports.to_json_resume(learner, drafts)
        problems = exports.validate_json_resume(document, ctx.settings.knowledge_dir / "schemas")
        if problems:
            raise CoachError(f"JSON Resume export failed the official schema: {problems[0]}")
        payload = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        signing_key = None
        if sign:
            key_path = Path(key) if key else ctx.settings.home / "keys" / f"{_slug(learner.name)}.ed25519.pem"
            signing_key = exports.load_or_create_key(key_path)
        bundle = exports.badge_bundle(learner, drafts, catalog=catalog, key=signing_key, today=day)
        for badge in bundle["credentials"]:
            problems = exports.validate_open_badge(badge, ctx.settings.knowledge_dir / "schemas")
            if problems:
                raise CoachError(f"Open Badges export failed 1EdTech's schema: {problems[0]}")
        payload = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    for notice in drafts.notices:
        typer.echo(f"notice: {notice}", err=True)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(payload, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
    else:
        sys.stdout.write(payload)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "learner"


# ---- chat (issue 6) --------------------------------------------------------------------------------------------


def split_script(text: str) -> list[str]:
    """User turns of a chat script: blocks separated by lines holding only `---` (empty blocks dropped)."""
    turns: list[str] = []
    block: list[str] = []
    for line in text.splitlines():
        if line.strip() == "---":
            turns.append("\n".join(block).strip())
            block = []
        else:
            block.append(line)
    turns.append("\n".join(block).strip())
    return [t for t in turns if t and not all(ln.lstrip().startswith("#") for ln in t.splitlines())]


@app.command("chat")
def chat_command(
    script: str | None = typer.Option(None, "--script", help="Play the user turns in FILE ('-' for stdin)."),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON line per turn: user, assistant, tool_calls, grounded."
    ),
    learner: str | None = typer.Option(None, "--learner", help="Learner id: the conversation is remembered."),
    conversation: str | None = typer.Option(
        None, "--conversation", help="Conversation id (default: the learner's)."
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Use the built-in offline engine even if a model is configured."
    ),
) -> None:
    """Talk to the coach in the terminal, or play a scripted conversation."""
    import uuid

    from coach.agent import build_agent
    from coach.context import process_context
    from coach.dialogue.contract import pathway_summary
    from coach.llm import get_offline_model

    ctx = process_context()
    settings = ctx.settings
    agent = build_agent(ctx, model=get_offline_model(ctx) if offline else None)
    if script is not None:
        turns = split_script(read_text_arg(script, what="script"))
        if not turns:
            raise BadInput("the script holds no user turns")
        learner_id = learner or f"script-{uuid.uuid4().hex[:10]}"
        for turn in turns:
            result = agent.run_turn(turn, learner_id, conversation)
            if as_json:
                data = result.as_dict()
                profile = agent.get_profile(learner_id, conversation)
                out: dict[str, Any] = {
                    k: data[k]
                    for k in ("user", "assistant", "tool_calls", "grounded", "repaired", "notices", "model")
                }
                out["profile"] = profile.model_dump(mode="json")
                planned = agent.latest_pathway(learner_id, conversation)
                if planned and any(c.get("name") == "plan_pathway" for c in data["tool_calls"]):
                    out["pathway"] = pathway_summary(
                        planned,
                        profile.target.role,
                        ctx.catalog,
                        out["profile"]["target"].get("role_label"),
                    )
                print_json(out)
            else:
                typer.echo(f"you> {turn}\ncoach> {result.assistant}\n")
        return
    learner_id = learner or "local"
    typer.echo(
        "Pathway Coach (type 'exit' to leave; paste a posting between two lines holding only three quotes). "
        + ("" if settings.use_remote_model and not offline else "[offline engine]")
    )
    while True:
        try:
            text = input("you> ")
            if text.strip() == '"""':  # a multi-line paste (a job posting, a resume)
                lines: list[str] = []
                while (line := input()).strip() != '"""':
                    lines.append(line)
                text = "\n".join(lines)
        except EOFError:
            typer.echo("")
            return
        if text.strip().lower() in ("exit", "quit", ":q"):
            return
        if not text.strip():
            continue
        try:
            sys.stdout.write("coach> ")
            for event in agent.stream_turn(text, learner_id, conversation):
                if event["type"] == "tool_call" and not as_json:
                    sys.stderr.write(f"  [tool: {event['name']}]\n")
                elif event["type"] == "token":
                    sys.stdout.write(event["text"])
                    sys.stdout.flush()
                elif event["type"] == "done" and as_json:
                    print_json(event["result"])
            sys.stdout.write("\n\n")
        except CoachError as exc:
            typer.echo(f"\nerror: {exc.message}", err=True)


# ---- serve / ui (issues 7, 8) ----------------------------------------------------------------------------------


@app.command("understand")
def understand_cmd(
    today: str | None = typer.Option(None, "--today", help="Reference date YYYY-MM-DD for deadlines."),
) -> None:
    """Read learner messages as JSON lines {"id", "text", "asked"?} on stdin; write their facts and intents."""
    from coach.dialogue.contract import understand_stream
    from coach.dialogue.understand import Understander
    from coach.settings import get_settings

    try:
        day = date.fromisoformat(today) if today else get_settings().today_date()
    except ValueError:
        raise BadInput(f"--today must be a date YYYY-MM-DD, not {today!r}") from None
    from coach.context import process_context

    ctx = process_context()
    understander = Understander(ctx.catalog, linker=ctx.linker)
    for line in understand_stream(sys.stdin, understander, day):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


@app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port."),
    workers: int = typer.Option(1, min=1, max=64, help="uvicorn worker processes (they share the database)."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Run the coach review API (FastAPI) with uvicorn; the database is migrated first."""
    import uvicorn

    from coach.settings import LOOPBACK_HOSTS, get_settings
    from coach.store import get_engine

    settings = get_settings()
    settings.token_secret()  # no secret (and not local mode): one line here, not one per worker
    beyond = host not in LOOPBACK_HOSTS
    if beyond and settings.secret_key is None:
        raise BadInput("local mode serves this machine only: set COACH_SECRET_KEY to serve beyond it")
    if beyond and set(settings.allowed_hosts) <= {"localhost", "127.0.0.1", "[::1]"}:
        typer.echo(
            f"note: only requests for {', '.join(settings.allowed_hosts)} are answered; set COACH_ALLOWED_HOSTS "
            "(e.g. '[\"coach.example.org\"]') to the names clients use",
            err=True,
        )
    # Migrate once here so a bad database URL fails with one clear line before any worker starts.
    get_engine(settings.db_url).dispose()
    uvicorn.run(
        "coach.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=log_level == "debug",
        server_header=False,  # no "Server: uvicorn": nothing to fingerprint
    )


@app.command("ui")
def ui_cmd(
    port: int = typer.Option(8501, min=1, max=65535, help="Port for the Streamlit app."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
) -> None:
    """Start the Streamlit app (in-process API by default; COACH_API_URL makes it use a running API)."""
    import os
    import subprocess

    from coach.settings import REPO_ROOT

    app_file = REPO_ROOT / "ui" / "app.py"
    if not app_file.exists():
        raise BadInput(f"the app is missing: {app_file}")
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no Deploy button or developer menu for learners and coaches
    ]  # fmt: skip
    typer.echo(f"Pathway Coach is starting on http://{host}:{port}", err=True)
    if os.name == "posix":
        # Become Streamlit (no child process), so Ctrl-C / SIGTERM from a supervisor stop the app itself
        # instead of leaving an orphaned server on the port.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, command)
    raise typer.Exit(subprocess.call(command))


users_app = typer.Typer(help="Manage API accounts (e.g. the first admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option("learner", help="learner | coach | admin"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    display_name: str = typer.Option("", help="Shown to coaches."),
) -> None:
    """Create an account in the configured database (how the first admin is made)."""
    from coach.settings import get_settings
    from coach.store import get_engine, session_factory, transaction
    from coach.store.user_repo import create_user

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("password", hide_input=True)
    )
    if len(password) < 8:
        raise BadInput("the password needs at least 8 characters")
    _read, write = session_factory(get_engine(get_settings().db_url))
    with transaction(write) as session:
        user = create_user(
            session=session, username=username, password=password, role=role, display_name=display_name
        )
        print_json({"id": user.id, "username": user.username, "role": user.role})


db_app = typer.Typer(help="Administer the product database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("grant-service-role")
def db_grant_service_role(
    role: str = typer.Argument(..., help="An existing PostgreSQL role the API will run as."),
) -> None:
    """As the schema's owner (COACH_DATABASE_URL): migrate, create the chat memory's tables, and grant ROLE row
    rights only, so the service it runs cannot drop the audit log's write-once triggers (PostgreSQL)."""
    from coach.agent import make_checkpointer
    from coach.settings import get_settings
    from coach.store import get_engine
    from coach.store.roles import grant_service_role

    url = get_settings().db_url
    engine = get_engine(url)  # migrates to the latest schema
    if engine.dialect.name == "postgresql":
        make_checkpointer(url)  # the chat memory's tables, so the service role never needs to create them
    for statement in grant_service_role(engine, role):
        typer.echo(statement)
    typer.echo(
        f"done: serve with COACH_DATABASE_URL signed in as {role}; after an upgrade, run this again as the owner "
        "(it migrates and grants the new tables)"
    )


# ---- eval / bench (issue 9) ------------------------------------------------------------------------------------


@app.command("eval")
def eval_command(
    quick: bool = typer.Option(False, "--quick", help="Samples and fewer cases: a few minutes."),
    suite: list[str] = typer.Option(None, "--suite", help="Run only this suite (repeatable)."),
    check: bool = typer.Option(
        False, "--check", help="Exit non-zero when a headline figure is below its floor."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Run the evaluations in evals/ and write evals/report.md and evals/report.json."""
    from coach import evaluation

    report = evaluation.run_suites(
        suite or None, quick=quick, progress=lambda n: typer.echo(f"» {n}", err=True)
    )
    md, js = evaluation.write_report(report, folder=evaluation.output_dir(quick))
    if not quick and not suite:
        evaluation.update_readme(report=report)
    if json_out:
        print_json(report)
    else:
        for s in report["suites"]:
            status = "ok" if s.get("ok") else f"FAILED: {s.get('error')}"
            figures = ", ".join(f"{k}={v:.3g}" for k, v in list(s.get("metrics", {}).items())[:6])
            typer.echo(f"{s['suite']:<14} {status:<6} {figures}")
        typer.echo(
            f"wrote {md.relative_to(Path.cwd()) if md.is_relative_to(Path.cwd()) else md} and {js.name}"
        )
    failed = [s["suite"] for s in report["suites"] if not s.get("ok")]
    problems = evaluation.check_floors(report) if check else []
    for p in problems:
        typer.echo(f"below floor: {p}", err=True)
    if failed or problems:
        raise typer.Exit(1)


@app.command("bench")
def bench_command(
    quick: bool = typer.Option(False, "--quick", help="Fewer repetitions."),
    area: list[str] = typer.Option(None, "--area", help="Run only this benchmark area (repeatable)."),
) -> None:
    """Run the speed benchmarks in evals/ and write evals/bench.md and evals/bench.json."""
    from coach import evaluation

    bench = evaluation.run_benchmarks(
        area or None, quick=quick, progress=lambda n: typer.echo(f"» {n}", err=True)
    )
    folder = evaluation.output_dir(quick)
    if area and not quick and (folder / "bench.json").exists():
        # A full run of some areas updates their rows in the committed report and leaves the others.
        bench = evaluation.merge_bench(evaluation.read_bench(folder), bench, area)
    md, _ = evaluation.write_bench(bench, folder=folder)
    if not quick:
        evaluation.update_readme(bench=bench)
    for r in bench["rows"]:
        typer.echo(
            f"{r.get('area', ''):<10} {r.get('name', ''):<45} median {r.get('median')} p95 {r.get('p95')} {r.get('unit', '')}"
        )
    for f in bench["failures"]:
        typer.echo(f"{f['area']}: FAILED {f['error']}", err=True)
    typer.echo(f"wrote {md}")
    if bench["failures"]:
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app, turning every known error into one line and exit code 1."""
    try:
        # Without standalone mode click returns (not raises) the code of a `typer.Exit`: pass it on.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except CoachError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise SystemExit(1) from None
    except ValidationError as exc:  # a COACH_* setting that cannot be used: say which and why, in one line
        typer.echo(f"error: {settings_problem(exc)}", err=True)
        raise SystemExit(1) from None
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:  # click usage errors and anything unexpected: one line, never a traceback
        # Usage errors (typer bundles its own click, so match the interface, not the class).
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            typer.echo(f"error: {exc.format_message()}", err=True)
            raise SystemExit(exc.exit_code or 2) from None
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
