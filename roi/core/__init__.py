"""The business-case core: money and periods, discounting and NPV/IRR/payback (``finance``, the
one user of numpy-financial), the case model and its files (``case``, ``casefile``), drivers
(``drivers/``), adoption curves (``curves``), declared distributions and input paths
(``distributions``), pricing presets, the engine, scenario levers and links (``scenario``),
cases as tables (``builder``), hosting crossovers (``hosting``) and portfolio totals
(``totals``).

May import: ``roi.io``."""
