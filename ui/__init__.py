"""Streamlit helpers shared by the pages (sidebar settings, live-run controls). UI only."""
