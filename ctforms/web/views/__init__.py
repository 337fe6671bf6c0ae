"""The pages, one module per kind of page; the routes table is in web/app.py."""
