"""Storage: migrations, write-once tables, access rules, rate limits, workflow functions (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from coach.auth import _hasher, hash_password, verify_password
from coach.errors import BadInput, Conflict, Forbidden, NotFound
from coach.models import PathwayStep, Profile, Rule
from coach.store import (
    RateLimited,
    audit_repo,
    consistency,
    get_engine,
    make_engine,
    migrate,
    pathway_repo,
    rate_limit_repo,
    session_factory,
    transaction,
    user_repo,
)
from coach.store.tables import AuditEntry, Base, PathwayRow, PathwayVersion, User
from coach.store.workflow import StepEdit, apply_edits, basic_validate, diff_pathways
from tests.conftest import api_sample_pathway


@pytest.fixture
def db(api_db_url, api_fast_hashing):  # type: ignore[no-untyped-def]
    """(engine, read maker, write maker) over a fresh, migrated database."""
    engine = get_engine(api_db_url)
    read, write = session_factory(engine)
    return engine, read, write


def people(write) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """learner1 (coached by coach1), learner2, coach1, admin."""
    with transaction(write) as s:
        out = {
            n: user_repo.create_user(session=s, username=n, password="password-" + n, role=r)
            for n, r in [
                ("learner1", "learner"),
                ("learner2", "learner"),
                ("coach1", "coach"),
                ("admin", "admin"),
            ]
        }
        user_repo.assign_coach(
            session=s, actor=out["admin"], coach_id=out["coach1"].id, learner_id=out["learner1"].id
        )
    return out


def test_migrations_create_exactly_the_model_schema_and_are_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    engine, _r, _w = db
    assert migrate(engine) == "0004"  # second run: nothing to do
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_audit_log_and_versions_refuse_update_and_delete_in_the_database(db) -> None:  # type: ignore[no-untyped-def]
    engine, _r, write = db
    users = people(write)
    with transaction(write) as s:
        row = pathway_repo.create_pathway(session=s, owner=users["learner1"], pathway=api_sample_pathway())
        pid = row.id
    statements = [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
        "UPDATE pathway_versions SET data = '{}'",
        f"DELETE FROM pathway_versions WHERE pathway_id = {pid}",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError) as err, engine.begin() as conn:
            conn.execute(text(sql))
        assert "append-only" in str(err.value) or "immutable" in str(err.value)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'create'")).scalar() == 1


def test_passwords_use_argon2id_with_a_salt() -> None:
    h1, h2 = hash_password("same password"), hash_password("same password")
    assert h1.startswith("$argon2id$") and h1 != h2
    assert verify_password("same password", h1) and not verify_password("other", h1)
    assert not verify_password("anything", None) and not verify_password("x", "not-a-hash")
    assert _hasher.time_cost >= 2  # the production parameters (tests patch in cheaper ones)


def test_users_and_visibility_rules(db) -> None:  # type: ignore[no-untyped-def]
    _e, read, write = db
    users = people(write)
    with transaction(write) as s, pytest.raises(Conflict):
        user_repo.create_user(session=s, username="Learner1", password="a-fine-passphrase")
    with transaction(write) as s, pytest.raises(BadInput):
        user_repo.create_user(session=s, username="zed", password="a-fine-passphrase", role="root")
    with transaction(write) as s:
        p1 = pathway_repo.create_pathway(session=s, owner=users["learner1"], pathway=api_sample_pathway()).id
        p2 = pathway_repo.create_pathway(session=s, owner=users["learner2"], pathway=api_sample_pathway()).id
    with read() as s:

        def ids(who: str) -> set[int]:
            return {
                p.id for p in pathway_repo.list_pathways(session=s, viewer=users[who], limit=50, offset=0)
            }

        assert ids("learner1") == {p1} and ids("learner2") == {p2}
        assert ids("coach1") == {p1} and ids("admin") == {p1, p2}
        with pytest.raises(NotFound):
            pathway_repo.get_pathway(session=s, viewer=users["learner1"], pathway_id=p2)
        with pytest.raises(NotFound):
            pathway_repo.get_pathway(session=s, viewer=users["coach1"], pathway_id=p2)
        assert (
            user_repo.authenticate(session=s, username="learner1", password="password-learner1") is not None
        )
        assert user_repo.authenticate(session=s, username="learner1", password="wrong") is None


def test_review_state_machine_refuses_wrong_transitions(db) -> None:  # type: ignore[no-untyped-def]
    _e, _r, write = db
    users = people(write)
    with transaction(write) as s:
        pid = pathway_repo.create_pathway(session=s, owner=users["learner1"], pathway=api_sample_pathway()).id
    with transaction(write) as s, pytest.raises(Forbidden):
        pathway_repo.submit_pathway(session=s, actor=users["coach1"], pathway_id=pid)
    with transaction(write) as s:
        rid = pathway_repo.submit_pathway(session=s, actor=users["learner1"], pathway_id=pid).id
    with transaction(write) as s, pytest.raises(Conflict):
        pathway_repo.submit_pathway(session=s, actor=users["learner1"], pathway_id=pid)
    with transaction(write) as s, pytest.raises(Forbidden):
        pathway_repo.decide_review(session=s, actor=users["learner1"], review_id=rid, decision="approve")
    with transaction(write) as s, pytest.raises(BadInput):
        pathway_repo.decide_review(session=s, actor=users["coach1"], review_id=rid, decision="maybe")
    with transaction(write) as s:
        review, comment = pathway_repo.decide_review(
            session=s, actor=users["coach1"], review_id=rid, decision="approve"
        )
        assert review.status == "approved" and comment is None
    with transaction(write) as s, pytest.raises(Conflict):
        pathway_repo.decide_review(
            session=s, actor=users["admin"], review_id=rid, decision="reject", comment="late"
        )
    with transaction(write) as s:
        actions = [
            (a.action, a.to_state) for a in audit_repo.list_audit(session=s, entity="pathway", entity_id=pid)
        ]
    assert actions == [("create", "draft"), ("submit", "pending"), ("approve", "approved")]


def test_a_failed_transaction_leaves_no_half_rows(db) -> None:  # type: ignore[no-untyped-def]
    _e, read, write = db
    users = people(write)
    with pytest.raises(RuntimeError), transaction(write) as s:
        pathway_repo.create_pathway(session=s, owner=users["learner1"], pathway=api_sample_pathway())
        s.flush()
        raise RuntimeError("crash after the pathway row, before commit")
    with read() as s:
        assert s.scalar(select(PathwayRow.id)) is None and s.scalar(select(PathwayVersion.id)) is None
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "create")) is None
        assert consistency.consistency_problems(session=s) == []


def test_consistency_check_finds_a_pathway_without_its_version(db) -> None:  # type: ignore[no-untyped-def]
    engine, read, write = db
    users = people(write)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pathways (owner_id, title, status, current_version, created_at, updated_at) "
                "VALUES (:o, 't', 'draft', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"o": users["learner1"].id},
        )
    with read() as s:
        problems = consistency.consistency_problems(session=s)
    assert any("0 versions stored" in p for p in problems)


def test_rate_limit_is_shared_between_engines_like_workers(db, api_db_url) -> None:  # type: ignore[no-untyped-def]
    _engine, _r, write = db
    users = people(write)
    other = make_engine(api_db_url)  # a second "worker" with its own connection pool
    _r2, write2 = session_factory(other)
    try:
        for i in range(4):
            with transaction(write if i % 2 else write2) as s:
                rate_limit_repo.take_rate_token(
                    session=s, user=users["learner1"], bucket="plan", limit=4, now=1000.0 + i
                )
        with pytest.raises(RateLimited) as err, transaction(write2) as s:
            rate_limit_repo.take_rate_token(
                session=s, user=users["learner1"], bucket="plan", limit=4, now=1010.0
            )
        assert err.value.retry_after == 51  # the oldest use (t=1000) leaves the window at t=1060
        with transaction(write) as s:  # another bucket and a later window are free
            rate_limit_repo.take_rate_token(
                session=s, user=users["learner1"], bucket="chat", limit=4, now=1010.0
            )
            rate_limit_repo.take_rate_token(
                session=s, user=users["learner1"], bucket="plan", limit=4, now=1061.0
            )
    finally:
        other.dispose()


def test_concurrent_writers_do_not_lose_or_lock(db) -> None:  # type: ignore[no-untyped-def]
    _e, read, write = db
    users = people(write)
    errors: list[BaseException] = []

    def worker(owner: User) -> None:
        try:
            for _ in range(5):
                with transaction(write) as s:
                    pathway_repo.create_pathway(session=s, owner=owner, pathway=api_sample_pathway())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(users[n],)) for n in ("learner1", "learner2") * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read() as s:
        assert len(pathway_repo.list_pathways(session=s, viewer=users["admin"], limit=100, offset=0)) == 30
        assert consistency.consistency_problems(session=s) == []


# ---- workflow functions (pure) ---------------------------------------------------------------------------------


def test_apply_edits_swap_add_remove_move_and_diff() -> None:
    old = api_sample_pathway()
    extra = PathwayStep(
        id="work:project:lab", name="Home lab", kind="portfolio_project", start_week=1, end_week=2, hours=10
    )
    new = apply_edits(
        old,
        [
            StepEdit(op="add", step=extra, position=1),
            StepEdit(op="move", step_id="fake-c", position=0),
            StepEdit(op="remove", step_id="fake-b"),
        ],
    )
    assert [s.id for s in new.steps] == ["fake-c", "fake-a", "work:project:lab"]
    assert [(s.start_week, s.end_week) for s in new.steps] == [(1, 4), (5, 8), (9, 10)]
    assert new.total_cost == 400 and new.weeks == 10 and new.steps[0].prerequisites == []
    assert [r.uri for r in new.uncovered] == ["http://example.org/skill/1", "http://example.org/skill/3"]
    d = diff_pathways(old, new, from_version=1, to_version=2)
    assert d.added == ["work:project:lab"] and d.removed == ["fake-b"]
    assert [m.id for m in d.moved] == ["fake-c"] and d.cost_change == -200 and d.weeks_change == -2
    with pytest.raises(BadInput):
        apply_edits(old, [StepEdit(op="remove", step_id="missing")])
    with pytest.raises(BadInput):
        apply_edits(old, [StepEdit(op="add", step=old.steps[0])])  # duplicate


def test_basic_validate_checks_order_rules_budget_and_held_credentials() -> None:
    p = api_sample_pathway()
    assert basic_validate(p, None) == []
    moved = apply_edits(p, [StepEdit(op="move", step_id="fake-b", position=0)])
    assert any("prerequisite fake-a" in i for i in basic_validate(moved, None))
    held = Profile(credentials=[{"name": "Fake A", "id": "fake-a", "status": "earned"}])
    assert not any("prerequisite fake-a" in i for i in basic_validate(moved, held))
    rule = Rule(id="r1", type="prerequisite_required", subject="fake-a", objects=["x", "y"], any_of=True)
    assert any("x or y" in i for i in basic_validate(p, None, [rule]))
    poor = Profile(constraints={"budget": 100, "weeks": 5})
    issues = basic_validate(p, poor)
    assert any("exceeds the budget" in i for i in issues) and any("12 weeks" in i for i in issues)


@given(st.lists(st.tuples(st.sampled_from(["remove", "move", "add"]), st.integers(0, 5)), max_size=6))
@settings(max_examples=60, deadline=None)
def test_edits_keep_totals_schedule_and_diff_consistent(ops: list[tuple[str, int]]) -> None:
    old = api_sample_pathway()
    edits, ids, extra = [], [s.id for s in old.steps], 0
    for op, n in ops:
        if op == "add":
            extra += 1
            step = PathwayStep(
                id=f"x{extra}",
                name=f"X{extra}",
                kind="course",
                start_week=1,
                end_week=1 + n % 3,
                cost=10.0 * n,
                hours=5,
            )
            edits.append(StepEdit(op="add", step=step, position=n))
            ids.insert(min(n, len(ids)), step.id)
        elif ids:
            target = ids[n % len(ids)]
            if op == "remove":
                edits.append(StepEdit(op="remove", step_id=target))
                ids.remove(target)
            else:
                edits.append(StepEdit(op="move", step_id=target, position=n))
                ids.remove(target)
                ids.insert(min(n, len(ids)), target)
    new = apply_edits(old, edits)
    assert [s.id for s in new.steps] == ids
    assert new.total_cost == pytest.approx(sum(s.cost for s in new.steps))
    for a, b in zip(new.steps, new.steps[1:], strict=False):  # laid out back to back, no gaps or overlaps
        assert b.start_week == a.end_week + 1
    d = diff_pathways(old, new, from_version=1, to_version=2)
    old_ids = [s.id for s in old.steps]
    assert set(d.added) == set(ids) - set(old_ids) and set(d.removed) == set(old_ids) - set(ids)
    kept = [i for i in ids if i in old_ids and i not in {m.id for m in d.moved}]
    assert kept == [i for i in old_ids if i in kept]  # what did not move kept its relative order
    assert d.cost_change == pytest.approx(new.total_cost - old.total_cost)


def _legacy_chat_pathways(api_db_url: str, revision: str):  # type: ignore[no-untyped-def]
    """A database at `revision` with an agent_saved_pathways table as the old chat tools made it."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from coach.store.db import MIGRATIONS_DIR

    engine = make_engine(api_db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    legacy = (
        sa.Table("agent_saved_pathways", sa.MetaData(), autoload_with=engine) if revision != "0001" else None
    )
    if legacy is None:  # before 0002 the chat tools created the table themselves (nullable columns)
        legacy = sa.Table(
            "agent_saved_pathways",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("learner_id", sa.String(200), index=True),
            sa.Column("version", sa.Integer),
            sa.Column("status", sa.String(24)),
            sa.Column("data", sa.JSON),
            sa.Column("profile", sa.JSON),
            sa.Column("note", sa.Text),
            sa.Column("created_at", sa.DateTime(timezone=True)),
        )
        legacy.create(engine)
    return engine, legacy


@pytest.mark.parametrize("revision", ["0001", "0002"])
def test_chat_pathways_move_into_the_one_store(api_db_url, revision: str) -> None:  # type: ignore[no-untyped-def]
    """Migration 0003 moves agent_saved_pathways rows (from the old tools' own table or from 0002) into
    pathways: accounts keep their pathways, other chat ids get a guest learner, pending ones their review."""
    import sqlalchemy as sa

    from coach.store.user_repo import guest_username

    engine, legacy = _legacy_chat_pathways(api_db_url, revision)
    now = datetime.now(UTC)
    steps = [{"id": "comptia-a-plus", "name": "CompTIA A+"}]
    with engine.begin() as conn:
        users = sa.Table("users", sa.MetaData(), autoload_with=conn)
        lena = conn.execute(
            users.insert()
            .values(
                username="lena",
                password_hash="x",
                role="learner",
                display_name="",
                active=True,
                created_at=now,
            )
            .returning(users.c.id)
        ).scalar_one()
        rows = [
            ("maya", 1, "draft", {"target": "15-1212.00", "steps": steps}, "first"),
            ("maya", 2, "pending", {"target": "15-1212.00", "steps": steps}, "second"),
            (str(lena), 1, "draft", {"target": "15-1232.00", "steps": []}, ""),
        ]
        for learner_id, version, status, data, note in rows:
            conn.execute(
                legacy.insert().values(
                    learner_id=learner_id, version=version, status=status, data=data, profile={}, note=note,
                    created_at=now,
                )
            )  # fmt: skip
    migrate(engine)
    inspector = sa.inspect(engine)
    assert not inspector.has_table("agent_saved_pathways")
    with engine.connect() as conn:
        guest = conn.execute(
            sa.text("SELECT id, role, password_hash FROM users WHERE username = :u"),
            {"u": guest_username("maya")},
        ).one()
        moved = conn.execute(
            sa.text(
                "SELECT p.owner_id, p.status, p.title, v.version, v.note, v.data FROM pathways p "
                "JOIN pathway_versions v ON v.pathway_id = p.id ORDER BY p.id"
            )
        ).all()
        pending = conn.execute(sa.text("SELECT count(*) FROM reviews WHERE status = 'pending'")).scalar()
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'migrate'")).scalar()
    assert guest.role == "learner" and guest.password_hash == "!guest"
    assert [(m.owner_id, m.status, m.title, m.version, m.note) for m in moved] == [
        (guest.id, "draft", "15-1212.00", 1, "first"),
        (guest.id, "pending", "15-1212.00", 1, "second"),
        (lena, "draft", "15-1232.00", 1, ""),
    ]
    data = moved[0].data if isinstance(moved[0].data, dict) else json.loads(moved[0].data)
    assert data["steps"] == steps
    assert pending == 1 and audited == 3
    engine.dispose()


def test_a_new_database_has_no_second_pathway_table(db) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    engine, _r, _w = db
    assert not sa.inspect(engine).has_table("agent_saved_pathways")
