"""The check library: stable check ids grouped under the reference's policy names, modelled on Polaris.

Each check looks at one field of a workload's pod template (or the workload itself) and says which; a
violation carries what was expected and found and, where the fix is mechanical, a strategic-merge patch
for the workload (container entries matched by name). Checks never talk to a cluster: the namespace's
NetworkPolicies and PodDisruptionBudgets come in through `Context`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cloudops.compliance.patch import at_path
from cloudops.compliance.views import FixSuggestion, Severity, ViolationView
from cloudops.kube.narrow import dig, items, mappings, text
from cloudops.kube.types import JsonObject
from cloudops.network.policy_eval import Direction, Pod, Policy, isolated_directions, label_selector_matches
from cloudops.resources.compliance_check import CompliancePolicy

__all__ = [
    "CHECKS",
    "POLICIES",
    "Check",
    "Context",
    "Severity",
    "Violation",
    "Workload",
    "checks_of",
]

DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO",
                                    "DAC_READ_SEARCH", "BPF", "PERFMON", "NET_RAW"})
NON_ROOT_USER = 1000
# Where the pod template lives in each kind; a bare Pod is its own template.
TEMPLATE_PATHS: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"), "Pod": (),
}


@dataclass(frozen=True)
class Workload:
    """A workload as the checks see it: kind, name, its pod template's metadata and spec."""

    kind: str
    namespace: str
    name: str
    obj: Mapping[str, object]

    @property
    def template_path(self) -> tuple[str, ...]:
        return TEMPLATE_PATHS.get(self.kind, ("spec", "template"))

    @property
    def template(self) -> Mapping[str, object]:
        return dig(self.obj, *self.template_path)

    @property
    def pod_spec(self) -> Mapping[str, object]:
        return dig(self.template, "spec")

    @property
    def labels(self) -> dict[str, str]:
        return {k: str(v) for k, v in dig(self.template, "metadata", "labels").items()}

    @property
    def containers(self) -> list[Mapping[str, object]]:
        return mappings(self.pod_spec.get("containers"))

    @property
    def spec_path(self) -> str:
        return ".".join((*self.template_path, "spec"))

    @property
    def patchable(self) -> bool:
        """A Pod's spec is (nearly) immutable: its fixes go to whatever creates it, never to the Pod."""
        return self.kind != "Pod"

    def container_field(self, container: Mapping[str, object], path: str) -> str:
        return f"{self.spec_path}.containers[name={text(container.get('name'))}].{path}"

    def pod_patch(self, value: JsonObject) -> JsonObject | None:
        return at_path((*self.template_path, "spec"), value) if self.patchable else None

    def container_patch(self, container: Mapping[str, object], value: JsonObject) -> JsonObject | None:
        return self.pod_patch({"containers": [{"name": text(container.get("name")), **value}]})

    @classmethod
    def from_k8s(cls, obj: Mapping[str, object]) -> Workload:
        meta = dig(obj, "metadata")
        return cls(text(obj.get("kind")), text(meta.get("namespace")), text(meta.get("name")), obj)


@dataclass(frozen=True)
class Context:
    """What checks need beyond the workload: its namespace's NetworkPolicies and PodDisruptionBudgets."""

    policies: Sequence[Policy] = ()
    pdb_selectors: Sequence[Mapping[str, object]] = ()
    required_directions: Sequence[Direction] = ("Ingress", "Egress")


@dataclass(frozen=True)
class Violation:
    check_id: str
    severity: Severity
    field: str
    expected: object
    actual: object
    message: str
    action: str | None = None
    patch: JsonObject | None = None

    def view(self) -> ViolationView:
        fix = FixSuggestion(action=self.action, patch=self.patch) if self.action else None
        return ViolationView(check_id=self.check_id, severity=self.severity, field=self.field,
                             expected=self.expected, actual=self.actual, message=self.message, fix_suggestion=fix)


CheckFn = Callable[["Check", Workload, Context], list[Violation]]


@dataclass(frozen=True)
class Check:
    id: str
    policy: CompliancePolicy
    severity: Severity
    title: str
    fix_action: str | None
    run: CheckFn = field(repr=False)

    def violation(self, field_: str, expected: object, actual: object, message: str,
                  patch: JsonObject | None = None) -> Violation:
        return Violation(self.id, self.severity, field_, expected, actual, message,
                         self.fix_action, patch if self.fix_action else None)


def _csc(c: Mapping[str, object]) -> Mapping[str, object]:
    return dig(c, "securityContext")


def _container_flag(key: str, want: bool, message: str) -> CheckFn:
    """A container securityContext boolean that must be `want` (absent counts as the Kubernetes default)."""
    def run(check: Check, w: Workload, _: Context) -> list[Violation]:
        out = []
        for c in w.containers:
            actual = _csc(c).get(key)
            if actual is not want:
                out.append(check.violation(w.container_field(c, f"securityContext.{key}"), want, actual,
                                           f"container {c.get('name')}: {message}",
                                           w.container_patch(c, {"securityContext": {key: want}})))
        return out
    return run


def _privileged(check: Check, w: Workload, _: Context) -> list[Violation]:
    return [check.violation(w.container_field(c, "securityContext.privileged"), False, True,
                            f"container {c.get('name')}: privileged containers can do anything on the host",
                            w.container_patch(c, {"securityContext": {"privileged": False}}))
            for c in w.containers if _csc(c).get("privileged") is True]


def _run_as_non_root(check: Check, w: Workload, _: Context) -> list[Violation]:
    pod_sc = dig(w.pod_spec, "securityContext")
    out: list[Violation] = []
    pod_level = False
    for c in w.containers:
        sc = _csc(c)
        user = sc.get("runAsUser", pod_sc.get("runAsUser"))
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        if (isinstance(user, int) and user >= 1) or (user is None and non_root is True):
            continue
        if "runAsUser" in sc or "runAsNonRoot" in sc:
            out.append(check.violation(
                w.container_field(c, "securityContext.runAsNonRoot"), True, non_root is True and user != 0,
                f"container {c.get('name')}: should not run as root (runAsUser {user}, runAsNonRoot {non_root})",
                w.container_patch(c, {"securityContext": {"runAsNonRoot": True, "runAsUser": NON_ROOT_USER}})))
        elif not pod_level:
            pod_level = True
            out.append(check.violation(
                f"{w.spec_path}.securityContext.runAsNonRoot", True, bool(pod_sc.get("runAsNonRoot")),
                "Containers should not run as root",
                w.pod_patch({"securityContext": {"runAsNonRoot": True, "runAsUser": NON_ROOT_USER}})))
    return out


def _drop_all(check: Check, w: Workload, _: Context) -> list[Violation]:
    out = []
    for c in w.containers:
        drop = items(dig(_csc(c), "capabilities").get("drop"))
        if "ALL" not in drop:
            out.append(check.violation(w.container_field(c, "securityContext.capabilities.drop"), ["ALL"], drop,
                                       f"container {c.get('name')}: should drop all capabilities",
                                       w.container_patch(c, {"securityContext": {"capabilities": {"drop": ["ALL"]}}})))
    return out


def _dangerous_adds(check: Check, w: Workload, _: Context) -> list[Violation]:
    out = []
    for c in w.containers:
        add = [str(x) for x in items(dig(_csc(c), "capabilities").get("add"))]
        bad = sorted(x for x in add if x.upper().removeprefix("CAP_") in DANGEROUS_CAPABILITIES)
        if bad:
            out.append(check.violation(w.container_field(c, "securityContext.capabilities.add"), [], bad,
                                       f"container {c.get('name')}: adds dangerous capabilities {', '.join(bad)}"))
    return out


def _host_flag(key: str) -> CheckFn:
    def run(check: Check, w: Workload, _: Context) -> list[Violation]:
        if w.pod_spec.get(key) is True:
            return [check.violation(f"{w.spec_path}.{key}", False, True,
                                    f"{key} shares the node's namespace with the pod", w.pod_patch({key: False}))]
        return []
    return run


def _host_path(check: Check, w: Workload, _: Context) -> list[Violation]:
    return [check.violation(f"{w.spec_path}.volumes[name={text(v.get('name'))}].hostPath", None, v.get("hostPath"),
                            f"volume {v.get('name')} mounts a host path")
            for v in mappings(w.pod_spec.get("volumes")) if v.get("hostPath") is not None]


def _resource(kind: Literal["requests", "limits"], name: Literal["cpu", "memory"]) -> CheckFn:
    def run(check: Check, w: Workload, _: Context) -> list[Violation]:
        out = []
        for c in w.containers:
            value = dig(c, "resources", kind).get(name)
            if value in (None, ""):
                out.append(check.violation(w.container_field(c, f"resources.{kind}.{name}"), "set", None,
                                           f"container {c.get('name')}: {name} {kind} should be set"))
        return out
    return run


def image_tag(image: str) -> str | None:
    """The tag of an image reference, None when it has none (a digest counts as pinned: '@')."""
    if "@" in image:
        return "@" + image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _image_tag(check: Check, w: Workload, _: Context) -> list[Violation]:
    out = []
    for c in w.containers:
        tag = image_tag(text(c.get("image")))
        if tag in (None, "latest"):
            out.append(check.violation(w.container_field(c, "image"), "a pinned tag or digest", c.get("image"),
                                       f"container {c.get('name')}: image has no tag or uses latest"))
    return out


def _pull_policy(check: Check, w: Workload, _: Context) -> list[Violation]:
    return [check.violation(w.container_field(c, "imagePullPolicy"), "Always", c.get("imagePullPolicy"),
                            f"container {c.get('name')}: imagePullPolicy should be Always",
                            w.container_patch(c, {"imagePullPolicy": "Always"}))
            for c in w.containers if c.get("imagePullPolicy") != "Always"]


def _probe(key: str) -> CheckFn:
    def run(check: Check, w: Workload, _: Context) -> list[Violation]:
        if w.kind in ("Job", "CronJob"):
            return []  # run-to-completion pods are not served, nor restarted when stuck
        return [check.violation(w.container_field(c, key), "set", None, f"container {c.get('name')}: {key} missing")
                for c in w.containers if not c.get(key)]
    return run


def _replicas(check: Check, w: Workload, _: Context) -> list[Violation]:
    if w.kind != "Deployment":
        return []
    replicas = dig(w.obj, "spec").get("replicas", 1)
    if isinstance(replicas, int) and replicas > 1:
        return []
    return [check.violation("spec.replicas", ">1", replicas, "a single replica is unavailable during any restart",
                            {"spec": {"replicas": 2}})]


def _pdb(check: Check, w: Workload, ctx: Context) -> list[Violation]:
    if w.kind not in ("Deployment", "StatefulSet"):
        return []
    if any(sel and label_selector_matches(sel, w.labels) for sel in ctx.pdb_selectors):
        return []
    return [check.violation(f"{'.'.join((*w.template_path, 'metadata', 'labels'))}", "selected by a "
                            "PodDisruptionBudget", None, "no PodDisruptionBudget selects this workload's pods")]


def _netpol(direction: Direction) -> CheckFn:
    def run(check: Check, w: Workload, ctx: Context) -> list[Violation]:
        if direction not in ctx.required_directions or w.pod_spec.get("hostNetwork") is True:
            return []
        pod = Pod(w.namespace, f"{w.name} (template)", w.labels)
        if direction in isolated_directions(ctx.policies, pod):
            return []
        return [check.violation(f"{'.'.join((*w.template_path, 'metadata', 'labels'))}",
                                f"selected by a NetworkPolicy with policyTypes {direction}", None,
                                f"no NetworkPolicy isolates {direction.lower()} of these pods")]
    return run


CHECKS: tuple[Check, ...] = (
    Check("run-as-non-root", "security-context", "danger", "runAsNonRoot or runAsUser >= 1",
          "update_security_context", _run_as_non_root),
    Check("privilege-escalation-allowed", "security-context", "danger", "allowPrivilegeEscalation false",
          "update_security_context", _container_flag("allowPrivilegeEscalation", False,
                                                     "privilege escalation should be disallowed")),
    Check("privileged", "security-context", "danger", "not privileged", "update_security_context", _privileged),
    Check("capabilities-drop-all", "security-context", "warning", "capabilities drop ALL",
          "update_security_context", _drop_all),
    Check("dangerous-capabilities", "security-context", "danger", "no dangerous capabilities added", None,
          _dangerous_adds),
    Check("read-only-root-filesystem", "security-context", "warning", "readOnlyRootFilesystem true",
          "update_security_context", _container_flag("readOnlyRootFilesystem", True,
                                                     "the root filesystem should be read-only")),
    Check("host-network", "security-context", "danger", "hostNetwork false", "update_pod_spec",
          _host_flag("hostNetwork")),
    Check("host-pid", "security-context", "danger", "hostPID false", "update_pod_spec", _host_flag("hostPID")),
    Check("host-ipc", "security-context", "danger", "hostIPC false", "update_pod_spec", _host_flag("hostIPC")),
    Check("host-path-volume", "security-context", "danger", "no hostPath volumes", None, _host_path),
    Check("cpu-requests", "resource-limits", "warning", "CPU requests set", None, _resource("requests", "cpu")),
    Check("cpu-limits", "resource-limits", "warning", "CPU limits set", None, _resource("limits", "cpu")),
    Check("memory-requests", "resource-limits", "warning", "memory requests set", None,
          _resource("requests", "memory")),
    Check("memory-limits", "resource-limits", "danger", "memory limits set", None, _resource("limits", "memory")),
    Check("network-policy-ingress", "network-policy", "warning", "ingress isolated by a NetworkPolicy", None,
          _netpol("Ingress")),
    Check("network-policy-egress", "network-policy", "warning", "egress isolated by a NetworkPolicy", None,
          _netpol("Egress")),
    Check("image-tag", "image", "danger", "image has a tag other than latest", None, _image_tag),
    Check("pull-policy-always", "image", "warning", "imagePullPolicy Always", "update_image_pull_policy",
          _pull_policy),
    Check("readiness-probe", "probes", "warning", "readinessProbe set", None, _probe("readinessProbe")),
    Check("liveness-probe", "probes", "warning", "livenessProbe set", None, _probe("livenessProbe")),
    Check("deployment-replicas", "reliability", "warning", "Deployment replicas > 1", "scale_replicas", _replicas),
    Check("pod-disruption-budget", "reliability", "warning", "a PodDisruptionBudget selects the pods", None, _pdb),
)
POLICIES: tuple[CompliancePolicy, ...] = tuple(dict.fromkeys(c.policy for c in CHECKS))


def checks_of(policy: str) -> list[Check]:
    return [c for c in CHECKS if c.policy == policy]
