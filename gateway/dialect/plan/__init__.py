"""`ApiRequest` + `SchemaCache` -> one plan tree (a read and its embeds as children), or a typed error."""
