"""The local demo accounts: the coach's password is advertised by the app, so the admin must have its own."""

from __future__ import annotations

import stat

from coach.settings import Settings
from coach.store import dispose_engines, get_engine, session_factory, transaction, user_repo
from ui.services import demo_admin_password, demo_password, ensure_demo_accounts


def _signs_in(settings: Settings, username: str, password: str) -> bool:
    read, _ = session_factory(get_engine(settings.db_url))
    with read() as session:
        return user_repo.authenticate(session=session, username=username, password=password) is not None


def test_the_demo_admin_has_its_own_random_password_kept_in_home(tmp_path, api_fast_hashing) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        ensure_demo_accounts(settings)
        coach_pw, admin_pw = demo_password(settings), demo_admin_password(settings)
        assert coach_pw != admin_pw and len(admin_pw) >= 16
        assert _signs_in(settings, "coach", coach_pw) and _signs_in(settings, "admin", admin_pw)
        assert not _signs_in(settings, "admin", coach_pw)
        for name in ("demo-password.txt", "demo-admin-password.txt"):
            assert stat.S_IMODE((tmp_path / "home" / name).stat().st_mode) == 0o600
    finally:
        dispose_engines()


def test_an_admin_sharing_the_coach_password_from_an_older_version_gets_its_own(
    tmp_path, api_fast_hashing
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'old.db'}")
    try:
        ensure_demo_accounts(settings)
        shared = demo_password(settings)
        _, write = session_factory(get_engine(settings.db_url))
        with transaction(write) as session:  # what earlier versions created
            admin = user_repo.authenticate(
                session=session, username="admin", password=demo_admin_password(settings)
            )
            assert admin is not None
            from coach.auth import hash_password

            admin.password_hash = hash_password(shared)
        assert _signs_in(settings, "admin", shared)
        ensure_demo_accounts(settings)
        assert not _signs_in(settings, "admin", shared)
        assert _signs_in(settings, "admin", demo_admin_password(settings))
    finally:
        dispose_engines()
