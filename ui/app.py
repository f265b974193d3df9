"""Pathway Coach — the Streamlit app. Run with `coach ui` (or `streamlit run ui/app.py`).

A thin entry script: it builds the API client once, signs the user in, and shows the pages their role allows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `ui.*` imports when run by streamlit

from coach.context import CoachContext, process_context
from coach.settings import get_settings
from ui import views
from ui.services import CoachClient, ensure_demo_accounts, in_process_http, remote_http

st.set_page_config(page_title="Pathway Coach", page_icon=":material/explore:", layout="wide")


@st.cache_resource(show_spinner=False)
def _context() -> CoachContext:
    """The coach's shared objects (catalogue, linker, index, ...), one per Streamlit process, built lazily."""
    return process_context()


@st.cache_resource(show_spinner="Starting the coach service…")
def _http(api_url: str | None, db_url: str) -> httpx.Client:
    """One HTTP connection per API URL or database, shared by all browser sessions."""
    if api_url:
        return remote_http(api_url)
    settings = get_settings()
    ensure_demo_accounts(settings)
    return in_process_http(settings, _context())


def client() -> CoachClient:
    """This browser session's API client (the HTTP connection is shared, the token is per session)."""
    if "client" not in st.session_state:
        settings = get_settings()
        # Connect lazily: the sign-in screen shows at once, and the service starts while the user types.
        st.session_state["client"] = CoachClient(connect=lambda: _http(settings.api_url, settings.db_url))
    return st.session_state["client"]


PAGES = {
    "learner": ["Chat", "Job posting", "My pathway", "Drafts"],
    "coach": ["Review queue", "Cohort"],
    "admin": ["Review queue", "Cohort"],
}
RENDER = {
    "Chat": views.chat_page,
    "Job posting": views.posting_page,
    "My pathway": views.pathway_page,
    "Drafts": views.drafts_page,
    "Review queue": views.review_page,
    "Cohort": views.cohort_page,
}


def main() -> None:
    """Sign in, then route to the pages of the user's role."""
    c = client()
    if not c.token:
        views.sign_in_page(c, embedded=not get_settings().api_url)
        try:
            c.connection()  # warm the service after the screen is drawn, so signing in is quick
        except Exception as exc:  # a broken database or an unreachable API: one clear notice, no traceback
            st.error(
                f"The coach service could not start: {getattr(exc, 'message', None) or exc}",
                icon=":material/warning:",
            )
        return
    pages = PAGES.get(c.role or "", [])
    with st.sidebar:
        st.markdown(
            f"### Pathway Coach\nSigned in as **{c.user.get('display_name') or c.user['username']}** "
            f"({c.role})"
        )
        page = st.radio("Go to", pages, key="nav")
        if st.button("Sign out", key="sign_out"):
            c.sign_out()
            for k in list(st.session_state.keys()):
                if k != "client":
                    del st.session_state[k]
            st.rerun()
    RENDER[page](c)


main()
