"""The Streamlit app (pages in views.py, API adapter in services.py)."""
