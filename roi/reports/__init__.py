"""What a case or a portfolio becomes for people: monthly and annual tables (``tables``), CSV
exports (``exports``), the Excel workbook with live formulas (``workbook``), the one-pager and
its PDF (``onepager``, ``pdf``), terminal rendering (``render``) and JSON reports
(``jsonreport``).

May import: every domain below it (io, core, uncertainty, evidence, adoption, culture,
portfolio); plotly only to draw the PDF chart."""
