"""The Streamlit dashboard: a thin shell that reads widgets, calls :mod:`roi` and draws."""
