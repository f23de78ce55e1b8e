"""The HTTP shell: routes dispatch a request through the dialect (parse ->
plan -> render), execute it on the pool and respond. The only asyncpg user on
the request path (execute.py) and the catalog reader (schema_loader.py)."""
