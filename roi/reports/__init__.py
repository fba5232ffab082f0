"""What a case or a portfolio becomes for people: monthly and annual tables (``tables``), CSV
exports (``exports``), the Excel workbook with live formulas (``workbook``, its sheets in
``workbook_sheets``), the one-pager and its PDF (``onepager``, ``pdf``) with the cash-flow
figure they share with the dashboard (``figures``), terminal rendering (``render``) and JSON
reports (``jsonreport``).

May import: every domain below it (io, core, uncertainty, evidence, adoption, culture,
portfolio); plotly only to draw figures (the PDF's chart)."""
