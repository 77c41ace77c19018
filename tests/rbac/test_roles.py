"""The user-facing ClusterRoles (deploy/rbac/user-roles.yaml) decide REST and kubectl access alike:
checked with SubjectAccessReviews on the real hub, as the shim asks them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import Kubectl, wait_until
from tests.identities import json_objects

pytestmark = pytest.mark.cluster

VIEWERS, OPERATORS, ADMINS = "cloudops:viewers", "cloudops:operators", "cloudops:admins"
READ_CAPS = ["health", "metrics", "resources", "crds", "logs", "versions", "backups", "quotas", "labels",
             "scheduling", "network", "policies", "cost", "mcp"]
OTHER_KINDS = ["yamlbackupschedules", "selfhealingrules", "labelpolicies", "compliancechecks", "clustermetrics"]

# (group, verb, resource, subresource, allowed); resource "" means managedclusters.
TABLE: list[tuple[str, str, str, str, bool]] = [
    # viewer: reads, never writes, execs, downloads files, runs cli or reads Secret values
    (VIEWERS, "get", "", "", True),
    (VIEWERS, "list", "", "", True),
    (VIEWERS, "watch", "", "", True),
    (VIEWERS, "create", "", "", False),
    (VIEWERS, "delete", "", "", False),
    *[(VIEWERS, verb, "", cap, True) for cap in READ_CAPS for verb in ("get", "list")],
    (VIEWERS, "create", "", "resources", False),
    (VIEWERS, "update", "", "resources", False),
    (VIEWERS, "delete", "", "resources", False),
    (VIEWERS, "create", "", "exec", False),
    (VIEWERS, "get", "", "files", False),
    (VIEWERS, "update", "", "files", False),
    (VIEWERS, "get", "", "secrets", False),
    (VIEWERS, "get", "", "cli", False),
    (VIEWERS, "create", "", "cli", False),
    (VIEWERS, "create", "", "test", False),
    (VIEWERS, "create", "", "sync", False),
    (VIEWERS, "update", "", "status", False),
    *[(VIEWERS, verb, kind, "", True) for kind in OTHER_KINDS for verb in ("get", "list", "watch")],
    *[(VIEWERS, verb, kind, "", False) for kind in OTHER_KINDS for verb in ("create", "update", "delete")],
    # operator: everything but Secret values and deletion
    (OPERATORS, "create", "", "", True),
    (OPERATORS, "update", "", "", True),
    (OPERATORS, "delete", "", "", False),
    (OPERATORS, "create", "", "exec", True),
    (OPERATORS, "create", "", "test", True),
    (OPERATORS, "create", "", "sync", True),
    (OPERATORS, "create", "", "resources", True),
    (OPERATORS, "update", "", "resources", True),
    (OPERATORS, "delete", "", "resources", False),
    (OPERATORS, "get", "", "files", True),
    (OPERATORS, "update", "", "files", True),
    (OPERATORS, "create", "", "cli", True),
    (OPERATORS, "get", "", "logs", True),
    (OPERATORS, "get", "", "secrets", False),
    (OPERATORS, "list", "", "secrets", False),
    (OPERATORS, "update", "", "status", False),
    *[(OPERATORS, verb, kind, "", True) for kind in OTHER_KINDS for verb in ("get", "create", "update", "patch")],
    *[(OPERATORS, "delete", kind, "", False) for kind in OTHER_KINDS],
    # admin: everything
    (ADMINS, "get", "", "secrets", True),
    (ADMINS, "delete", "", "", True),
    (ADMINS, "delete", "", "resources", True),
    (ADMINS, "create", "", "exec", True),
    *[(ADMINS, "delete", kind, "", True) for kind in OTHER_KINDS],
    # nobody in a cloudops group: nothing
    ("some-team", "get", "", "", False),
    ("some-team", "get", "", "health", False),
]


def _review(user: str, groups: list[str], verb: str, resource: str, subresource: str,
            namespace: str = "cloudops-system") -> dict[str, Any]:
    attrs = {"group": "cloudops.io", "resource": resource or "managedclusters", "verb": verb, "name": "c1",
             "namespace": namespace, **({"subresource": subresource} if subresource else {})}
    if verb in ("list", "watch", "create"):
        del attrs["name"]
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": [*groups, "system:authenticated"], "resourceAttributes": attrs}}


def _allowed(hub: Kubectl, reviews: list[dict[str, Any]]) -> list[bool]:
    """Every review in one kubectl call."""
    items = json_objects(hub("create", "-f", "-", "-o", "json",
                             stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": reviews})))
    assert len(items) == len(reviews)
    return [bool(i["status"].get("allowed")) for i in items]


def _describe(group: str, verb: str, resource: str, subresource: str) -> str:
    return f"{group}: {verb} {resource or 'managedclusters'}{'/' + subresource if subresource else ''}"


def test_capability_table(hub: Kubectl) -> None:
    got = _allowed(hub, [_review("u", [g], v, r, s) for g, v, r, s, _ in TABLE])
    wrong = [f"{_describe(g, v, r, s)} should be {'allowed' if want else 'denied'}"
             for (g, v, r, s, want), allowed in zip(TABLE, got, strict=True) if allowed != want]
    assert not wrong, "\n".join(wrong)


def test_roles_bound_per_namespace_and_aggregated_into_builtin_roles(hub: Kubectl, namespace: str) -> None:
    """A RoleBinding to cloudops:viewer scopes it to one namespace; the built-in view/edit/admin roles
    carry the cloudops rules (aggregate-to-* labels), with the same limits."""
    for user, role in (("ns-viewer", "cloudops:viewer"), ("k-view", "view"), ("k-edit", "edit"), ("k-admin", "admin")):
        hub("-n", namespace, "create", "rolebinding", user, f"--clusterrole={role}", f"--user={user}")
    checks = [("ns-viewer", "get", "", "health", namespace, True),
              ("ns-viewer", "get", "", "health", "cloudops-system", False),
              ("ns-viewer", "create", "", "exec", namespace, False),
              ("k-view", "get", "", "resources", namespace, True),
              ("k-view", "get", "", "files", namespace, False),
              ("k-edit", "create", "", "exec", namespace, True),
              ("k-edit", "get", "", "secrets", namespace, False),
              ("k-admin", "get", "", "secrets", namespace, True)]
    reviews = [_review(u, [], v, r, s, ns) for u, v, r, s, ns, _ in checks]

    def matches() -> list[str]:
        got = _allowed(hub, reviews)
        wrong = [f"{u}: {v} {s} in {ns}" for (u, v, _, s, ns, want), a in zip(checks, got, strict=True) if a != want]
        assert not wrong, wrong
        return ["ok"]

    wait_until(matches, 30, "namespaced and aggregated roles")
