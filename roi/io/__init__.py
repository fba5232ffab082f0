"""Reading and writing at the boundary, shared by every domain: the problem type that names a
file, line, column, value and the rule broken (``problems``), the CSV reader every upload goes
through (``csvtable``) and number formatting for people (``formatting``).

May import: nothing of ``roi`` (this is the bottom layer)."""
