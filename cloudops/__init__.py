"""Domain code shared by the operator and the REST shim: no transport lives here."""
