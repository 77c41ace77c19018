"""Human-readable API documentation: per operation an English summary beside the reference's Chinese one, a
description (what it does, what it needs, what it writes), every parameter and request body described, and
examples recorded from real calls. `apply` fills a built OpenAPI document; the data is one module per section."""

from api_shim.operation_docs.document import DOCS, apply

__all__ = ["DOCS", "apply"]
