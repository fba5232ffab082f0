"""The Streamlit dashboard: a thin shell that reads widgets, calls :mod:`roi` and draws.

``app.py`` builds the navigation and the pages live in ``app_pages/``; ``charts/`` holds the
figure builders (pure: result → plotly figure); ``cache.py`` wraps every engine call;
``database.py`` owns the one handle on the store, which ``saved.py`` (the pages' side of
saved work) and ``signin.py`` (sign-in and roles) call. May import anything in ``roi``;
nothing in ``roi`` imports this package.
"""
