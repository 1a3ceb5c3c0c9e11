"""Documents for printing and spreadsheets, shared by every app (no models, not an app).

- ``pdf.render_pdf(template, context)``: a Django template rendered to A4 PDF with
  WeasyPrint, using ``documents/report.css`` (the koperasi header, page numbers).
- ``xlsx``: openpyxl workbooks with Rupiah number formats; every text cell passes through
  ``safe_text`` so a spreadsheet never runs a formula that came from user input.
"""
