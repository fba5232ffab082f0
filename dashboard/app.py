"""Entry point: ``streamlit run dashboard/app.py``. Builds the navigation; pages live in
``dashboard/app_pages/``.

Everything a page needs is served by this server: the page icon is ``static/icon.png``
(served by Streamlit's media endpoint; a ``:material/…:`` page icon would make the browser
fetch it from fonts.gstatic.com), and the navigation's Material icons come from the font
bundled with Streamlit."""

from pathlib import Path

import streamlit as st

from dashboard.signin import gate
from dashboard.state import init_state

ICON = Path(__file__).resolve().parent / "static" / "icon.png"

st.set_page_config(page_title="AI ROI", page_icon=ICON, layout="wide")
init_state()
gate()  # sign-in and roles: stops here with the sign-in page when someone must sign in

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/quickwins.py", title="Quick wins", icon=":material/bubble_chart:"),
    st.Page("app_pages/explorer.py", title="Scenario explorer", icon=":material/tune:"),
    st.Page("app_pages/builder.py", title="Case builder", icon=":material/edit_note:"),
    st.Page("app_pages/pilots.py", title="Pilots", icon=":material/science:"),
    st.Page("app_pages/adoption.py", title="Adoption", icon=":material/trending_up:"),
    st.Page("app_pages/culture.py", title="Culture", icon=":material/groups:"),
    st.Page("app_pages/impact.py", title="Impact", icon=":material/insights:"),
    st.Page("app_pages/infrastructure.py", title="Infrastructure", icon=":material/dns:"),
    st.Page("app_pages/scenarios.py", title="Scenarios", icon=":material/compare_arrows:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
    st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"),
    st.Page("app_pages/methodology.py", title="Methodology", icon=":material/menu_book:"),
]

st.navigation(PAGES).run()
