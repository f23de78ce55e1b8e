"""The plan tree -> `(sql, extras)` in one walk: identifiers from the catalog, quoted; values as `$n`."""
