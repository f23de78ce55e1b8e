"""The PostgREST dialect, pure: request text -> ApiRequest (parse/) -> one plan
tree (plan/) -> one SQL statement and its arguments (render/), checked against
the schema-cache model (schema/). No I/O here: nothing imports litestar,
asyncpg, os or the network (tests/gateway/test_layers.py)."""
