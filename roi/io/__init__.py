"""Reading and writing at the boundary, shared by every domain: the problem type that names a
file, line, column, value and the rule broken (``problems``), the CSV reader every upload goes
through (``csvtable``), text decoding including UTF-16 (``text``), dates as exports write them
(``dates``), JSON and YAML read with bounded nesting and no duplicate keys (``structured``),
paths written in files kept inside their folder (``paths``) and number formatting for people
(``formatting``).

May import: nothing of ``roi`` (this is the bottom layer)."""
