"""The web page face (`ctforms serve`): the same pipeline as the CLI, as pages in a browser.

Served from the user's own machine on 127.0.0.1 only; every address carries a key made at
each start. Starlette routes, Jinja2 templates rendered on the server, one CSS file, no
JavaScript and nothing fetched from outside the package.
"""
