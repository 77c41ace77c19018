"""Generated NetworkPolicies, checked with the evaluator: app→db on 3306 allowed, everything else denied."""

from __future__ import annotations

from typing import Any

import pytest

from cloudops.network.generate import Exception_, generate, selector_labels
from cloudops.network.policy_eval import Endpoint, Namespace, Pod, Policy, evaluate

Json = dict[str, Any]
NS = {"shop": Namespace("shop"), "kube-system": Namespace("kube-system")}


def pod(name: str, labels: dict[str, str], ns: str = "shop") -> Json:
    return {"metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": {"containers": []}}


APP = pod("app-pod", {"app": "shop", "tier": "app", "pod-template-hash": "abc"})
DB = pod("db-pod", {"app": "shop", "tier": "db", "statefulset.kubernetes.io/pod-name": "db-0"})
OTHER = pod("other", {"app": "other"})
DNS = pod("coredns", {"k8s-app": "kube-dns"}, "kube-system")


def ep(obj: Json) -> Endpoint:
    return Endpoint.of_pod(Pod.from_k8s(obj), NS)


def allowed(policies: list[Json], src: Json, dst: Json, port: int, protocol: str = "TCP") -> bool:
    return evaluate([Policy.from_k8s(p) for p in policies], ep(src), ep(dst), port, protocol).allowed


def test_generated_labels_are_left_out() -> None:
    assert selector_labels(APP) == {"app": "shop", "tier": "app"}
    assert selector_labels(DB) == {"app": "shop", "tier": "db"}


def test_deny_all_with_an_exception_allows_only_app_to_db_on_3306() -> None:
    policies = generate("shop", [APP, DB], "deny-all", [Exception_("app-pod", "db-pod", (3306,))])
    assert [p["metadata"]["name"] for p in policies] == ["cloudops-deny-all-app-pod", "cloudops-deny-all-db-pod"]
    assert allowed(policies, APP, DB, 3306)
    assert not allowed(policies, APP, DB, 80)
    assert not allowed(policies, DB, APP, 3306)
    assert not allowed(policies, OTHER, DB, 3306)
    assert not allowed(policies, APP, OTHER, 443)
    assert not allowed(policies, APP, DB, 3306, "UDP")
    assert allowed(policies, APP, DNS, 53, "UDP") and allowed(policies, DB, DNS, 53, "TCP")
    assert not allowed(policies, APP, DB, 53, "UDP")  # DNS is open to the DNS pods only
    no_dns = generate("shop", [APP, DB], "deny-all", [Exception_("app-pod", "db-pod", (3306,))], dns=False)
    assert not allowed(no_dns, APP, DNS, 53, "UDP") and allowed(no_dns, APP, DB, 3306)


def test_allow_same_namespace_and_allow_list() -> None:
    same = generate("shop", [APP, DB], "allow-same-namespace", [])
    assert allowed(same, OTHER, DB, 80) and allowed(same, DB, APP, 1)
    outsider = pod("x", {"app": "x"}, "elsewhere")
    ns = {**NS, "elsewhere": Namespace("elsewhere")}
    pols = [Policy.from_k8s(p) for p in same]
    assert not evaluate(pols, Endpoint.of_pod(Pod.from_k8s(outsider), ns), ep(DB), 80).allowed
    allow = generate("shop", [APP, DB], "allow-list", [Exception_("app-pod", "db-pod", (3306,))])
    assert all(p["spec"]["policyTypes"] == ["Ingress"] for p in allow)
    assert allowed(allow, APP, DB, 3306) and not allowed(allow, OTHER, DB, 3306) and allowed(allow, DB, OTHER, 9)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"exceptions\[0\]\.to"):
        generate("shop", [APP], "deny-all", [Exception_("app-pod", "db-pod", (1,))])
    with pytest.raises(ValueError, match=r"pods\[0\]"):
        generate("shop", [pod("bare", {"pod-template-hash": "x"})], "deny-all", [])
