"""The compliance check library: each check fails exactly what it should, patches fix it, score formula."""

from __future__ import annotations

import copy
from typing import Any

from cloudops.compliance.checks import CHECKS, POLICIES, Context, Workload, image_tag
from cloudops.compliance.evaluate import check_workload, summary
from cloudops.compliance.patch import merge_patches
from cloudops.network.policy_eval import Policy

Json = dict[str, Any]


def good_container(name: str = "app") -> Json:
    return {"name": name, "image": "example/app:1.2", "imagePullPolicy": "Always",
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
            "readinessProbe": {"tcpSocket": {"port": 80}}, "livenessProbe": {"tcpSocket": {"port": 80}}}


def deployment(containers: list[Json], replicas: int = 2, pod: Json | None = None) -> Json:
    spec = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000}, "containers": containers, **(pod or {})}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}}


ISOLATING = Policy.from_k8s({"metadata": {"name": "all", "namespace": "ns"},
                             "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})
CTX = Context(policies=[ISOLATING], pdb_selectors=[{"matchLabels": {"app": "web"}}])


def failing(obj: Json, ctx: Context = CTX) -> dict[str, list[str]]:
    results = check_workload(Workload.from_k8s(obj), ctx, POLICIES)
    return {r.policy: [v.check_id for v in r.violations] for r in results if r.violations}


def apply_patch(obj: Json, patch: Json) -> Json:
    """A strategic merge as the apiserver does it for the fields our patches touch."""
    return merge_patches([copy.deepcopy(obj), patch])


def test_ids_are_unique_and_grouped_under_the_reference_policies() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    assert POLICIES[:3] == ("security-context", "resource-limits", "network-policy")
    assert set(POLICIES) == {"security-context", "resource-limits", "network-policy", "image", "probes",
                             "reliability"}


def test_a_good_deployment_passes_everything() -> None:
    assert failing(deployment([good_container()])) == {}


def test_a_bad_deployment_fails_exactly_its_checks() -> None:
    bad = {"name": "app", "image": "nginx", "securityContext": {"privileged": True,
                                                                 "capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}}}
    obj = deployment([bad, good_container("side")], replicas=1,
                     pod={"hostPID": True, "securityContext": {},
                          "volumes": [{"name": "h", "hostPath": {"path": "/"}}]})
    found = failing(obj, Context())
    assert found["security-context"] == ["run-as-non-root", "privilege-escalation-allowed", "privileged",
                                         "capabilities-drop-all", "dangerous-capabilities",
                                         "read-only-root-filesystem", "host-pid", "host-path-volume"]
    assert found["resource-limits"] == ["cpu-requests", "cpu-limits", "memory-requests", "memory-limits"]
    assert found["network-policy"] == ["network-policy-ingress", "network-policy-egress"]
    assert found["image"] == ["image-tag", "pull-policy-always"]
    assert found["probes"] == ["readiness-probe", "liveness-probe"]
    assert found["reliability"] == ["deployment-replicas", "pod-disruption-budget"]


def test_violations_name_fields_and_patches_fix_only_mechanical_checks() -> None:
    bad = {"name": "app", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
           "securityContext": {"allowPrivilegeEscalation": True}}
    obj = deployment([bad, good_container("side")], replicas=1, pod={"securityContext": {}, "hostNetwork": True})
    results = {r.policy: r for r in check_workload(Workload.from_k8s(obj), CTX, POLICIES)}
    sc = results["security-context"]
    fields = {v.check_id: v.field for v in sc.violations}
    assert fields["run-as-non-root"] == "spec.template.spec.securityContext.runAsNonRoot"
    assert fields["privilege-escalation-allowed"] == \
        "spec.template.spec.containers[name=app].securityContext.allowPrivilegeEscalation"
    view = sc.view()
    assert view["resource"] == "deployment/web" and view["status"] == "failed"
    first = view["violations"][0]
    assert (first["expected"], first["actual"]) == (True, False)
    patch = view["fix_suggestion"]["patch"]
    containers = patch["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app"]  # the good container is not touched
    fixed = obj
    for r in results.values():
        if (fs := r.fix_suggestion()) is not None:
            fixed = apply_patch(fixed, fs["patch"])
    after = failing(fixed)
    assert "security-context" not in after and "image" not in after and "reliability" not in after
    assert fixed["spec"]["replicas"] == 2
    # resource limits are not mechanical: no patch, still failing
    assert failing(fixed, Context())["resource-limits"] == ["cpu-requests", "cpu-limits", "memory-requests",
                                                            "memory-limits"]
    assert results["resource-limits"].fix_suggestion() is None


def test_container_level_root_is_fixed_in_the_container() -> None:
    c = good_container() | {"securityContext": {**good_container()["securityContext"], "runAsUser": 0}}
    results = check_workload(Workload.from_k8s(deployment([c])), CTX, ["security-context"])
    (v,) = results[0].violations
    assert v.field.endswith("containers[name=app].securityContext.runAsNonRoot")
    assert v.patch == {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "securityContext": {"runAsNonRoot": True, "runAsUser": 1000}}]}}}}


def test_pods_get_no_patch_and_network_policy_uses_the_evaluator() -> None:
    pod = {"kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "labels": {"app": "x"}},
           "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    w = Workload.from_k8s(pod)
    assert w.spec_path == "spec"
    sc = check_workload(w, Context(), ["security-context"])[0]
    assert sc.violations and all(v.patch is None for v in sc.violations)
    ingress_only = Policy.from_k8s({"metadata": {"name": "i", "namespace": "ns"},
                                    "spec": {"podSelector": {"matchLabels": {"app": "x"}}}})
    other_ns = Policy.from_k8s({"metadata": {"name": "o", "namespace": "other"}, "spec": {"podSelector": {}}})
    np = check_workload(w, Context(policies=[ingress_only, other_ns]), ["network-policy"])[0]
    assert [v.check_id for v in np.violations] == ["network-policy-egress"]
    np = check_workload(w, Context(policies=[ingress_only], required_directions=("Ingress",)), ["network-policy"])[0]
    assert np.passed


def test_image_tags() -> None:
    assert image_tag("nginx") is None and image_tag("nginx:latest") == "latest"
    assert image_tag("registry:5000/team/app") is None and image_tag("registry:5000/app:1") == "1"
    assert image_tag("app@sha256:abc") == "@sha256:abc"


def test_cronjob_template_path_and_no_probes_for_jobs() -> None:
    cj = {"kind": "CronJob", "metadata": {"name": "c", "namespace": "ns"},
          "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}}}}
    w = Workload.from_k8s(cj)
    assert w.spec_path == "spec.jobTemplate.spec.template.spec"
    assert check_workload(w, Context(), ["probes"])[0].passed


def test_summary_and_score_formula() -> None:
    results = check_workload(Workload.from_k8s(deployment([good_container()], replicas=1)), CTX, POLICIES)
    assert summary(results) == {"total": 6, "passed": 5, "failed": 1, "compliance_score": 83.3, "score_reason": None}


def test_no_score_over_nothing() -> None:
    """A run that checked nothing has no score (a 100 would read as all clear), and says why."""
    assert summary([]) == {"total": 0, "passed": 0, "failed": 0, "compliance_score": None,
                           "score_reason": "nothing was checked"}
    assert summary([], "nothing was checked: no pods found in namespaces a")["score_reason"] == (
        "nothing was checked: no pods found in namespaces a")


def test_merge_patches_merges_containers_by_name() -> None:
    a = {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": False}}]}}
    b = {"spec": {"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": True}},
                                 {"name": "b", "imagePullPolicy": "Always"}]}}
    assert merge_patches([a, b]) == {"spec": {"containers": [
        {"name": "a", "securityContext": {"privileged": False, "readOnlyRootFilesystem": True}},
        {"name": "b", "imagePullPolicy": "Always"}]}}


def test_the_rest_policy_names_are_the_library_policies() -> None:
    from typing import get_args

    from cloudops.services.compliance.models import PolicyName
    assert set(get_args(PolicyName)) == set(POLICIES)
