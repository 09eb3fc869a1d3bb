"""`make bench`: keyguide next to plain mkdocs-material and a bare Pyodide, in one table (see __main__.py)."""
