"""The dashboard figure builders: pure functions from engine results to plotly figures, one
module per page domain, tested without Streamlit.

May import: ``roi`` (any package); never streamlit."""
