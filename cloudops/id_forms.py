"""What a caller is told who sends the reference's integer where an object id of a member cluster is expected.

The reference numbers quotas, limit ranges, endpoints, ingresses, network policies, backup targets and unified
resources with integers. Objects inside member clusters have no such number here: their id says where they
are, `<cluster>:<type>:<namespace>:<name>` (cloudops.members.objects.ObjectId), so it decodes without a lookup
and holds across the product's restarts and the object's re-creation. An integer in its place (`5`, or a
string of digits) is refused with the form and an example, never looked up as a name; an object whose name
is all digits is reached by its full id.
"""

from __future__ import annotations

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from cloudops.errors import BadRequest

__all__ = ["expected_form", "integer_id_message", "is_integer_id", "refuse_integer_id", "string_id"]

# An example object per type part, so the message shows a plausible id of the kind the route takes.
_EXAMPLES = {"resourcequota": "default:compute", "limitrange": "default:defaults", "endpoints": "default:web",
             "ingress": "default:web", "networkpolicy": "default:deny-all", "deployment": "default:web"}


def expected_form(kind: str | None = None) -> str:
    """`<cluster>:resourcequota:<namespace>:<name>, e.g. 1:resourcequota:default:compute`; `<type>` when the
    route takes objects of any type."""
    example = f"1:{kind or 'deployment'}:{_EXAMPLES.get(kind or 'deployment', 'default:web')}"
    return f"<cluster>:{kind or '<type>'}:<namespace>:<name>, e.g. {example}"


def is_integer_id(raw: object) -> bool:
    """A JSON integer, or a string of ASCII digits only (how an integer arrives in a path or query)."""
    if isinstance(raw, bool):
        return False
    return isinstance(raw, int) or (isinstance(raw, str) and raw.isascii() and raw.isdigit())


def integer_id_message(raw: object, kind: str | None = None) -> str:
    return f"expected {expected_form(kind)}; got {str(raw)[:40]}"


def refuse_integer_id(raw: object, field: str, kind: str | None = None) -> None:
    """400 naming `field`, with the expected form, when `raw` is an integer."""
    if is_integer_id(raw):
        raise BadRequest(integer_id_message(raw, kind), field=field)


def string_id(kind: str | None = None) -> BeforeValidator:
    """For a body or query field holding an object id: an integer is refused with the expected form (the
    caller reads `body.resource_id: expected ...; got 123`) before the field's own type is checked."""

    def check(value: object) -> object:
        if is_integer_id(value):
            raise PydanticCustomError("object_id", "{message}", {"message": integer_id_message(value, kind)})
        return value

    return BeforeValidator(check)
