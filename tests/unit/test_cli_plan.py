"""The CLI command check: every refused form is a CliRefused naming the part refused."""

from __future__ import annotations

import pytest

from cloudops.cli_exec import CliRefused, member_kubeconfig, plan
from cloudops.clusters.kubeconfig import KubeconfigError


@pytest.mark.parametrize(("command", "named"), [
    ("kubectl get pods; rm -rf /", "';'"),
    ("kubectl get pods && id", "'&&'"),
    ("kubectl get pods & id", "'&'"),
    ("kubectl get pods | sh", "'|'"),
    ("kubectl get pods || id", "'||'"),
    ("kubectl get $(id)", "'$('"),
    ("kubectl get `id`", "backticks"),
    ("kubectl get ${HOME}", "'${'"),
    ("kubectl get pods > /tmp/x", "'>'"),
    ("kubectl apply < /etc/passwd", "'<'"),
    ("kubectl get pods\nid", "newline"),
    ("kubectl get pods\rid", "carriage return"),
    ("kubectl get 'pods", "shell rules (a quote is never closed)"),
    ("kubectl get pods \\", "shell rules (it ends in a lone backslash)"),
    ("", "empty"),
    ("sh -c id", "only kubectl"),
    ("/usr/bin/kubectl get pods", "only kubectl"),
    ("kubectl", "no kubectl subcommand"),
    ("kubectl -n default", "no kubectl subcommand"),
    ("kubectl get pods --kubeconfig=/etc/k", "--kubeconfig"),
    ("kubectl get pods --kubeconfig /etc/k", "--kubeconfig"),
    ("kubectl get pods --server=https://1.2.3.4", "--server"),
    ("kubectl get pods -s https://1.2.3.4", "-s"),
    ("kubectl get pods -shttps://1.2.3.4", "-s"),
    ("kubectl get pods --token=abc", "--token"),
    ("kubectl get pods --as=admin", "--as"),
    ("kubectl get pods --as-group=system:masters", "--as-group"),
    ("kubectl get pods --as-uid=1", "--as-uid"),
    ("kubectl --context=other get pods", "--context"),
    ("kubectl get pods --cluster=other", "--cluster"),
    ("kubectl get pods --user=other", "--user"),
    ("kubectl get pods --insecure-skip-tls-verify", "--insecure-skip-tls-verify"),
    ("kubectl get pods --client-key=/k", "--client-key"),
    ("kubectl get -f /etc/passwd", "-f"),
    ("kubectl logs -f web", "-f"),
    ("kubectl logs --follow web", "--follow"),
    ("kubectl get pods -w", "-w"),
    ("kubectl get pods --watch", "--watch"),
    ("kubectl get pods -v=9", "-v"),
    ("kubectl get pods --v=9", "--v"),
    ("kubectl get pods -fn x", "-f"),
    ("kubectl get pods -Aw", "combined short flags"),
    ("kubectl get --raw /api/v1/secrets", "--raw"),
    ("kubectl get pods -o go-template-file=/etc/t", "go-template-file"),
    ("kubectl get pods -o jsonpath-file=/etc/t", "jsonpath-file"),
    ("kubectl get pods --output=jsonpath-file=/etc/t", "jsonpath-file"),
    ("kubectl get pods --log-file=/tmp/x", "--log-file"),
    ("kubectl get pods --cache-dir=/tmp/x", "--cache-dir"),
    ("kubectl create secret generic x --from-file=/etc/shadow", "--from-file"),
    ("kubectl create configmap x --from-env-file=/etc/environment", "--from-env-file"),
    ("kubectl patch deploy web --patch-file=/etc/p", "--patch-file"),
    ("kubectl create deployment x --image=y --edit", "--edit"),
    ("kubectl exec web -- id", "'exec'"),
    ("kubectl attach web", "'attach'"),
    ("kubectl port-forward web 8080:80", "'port-forward'"),
    ("kubectl proxy", "'proxy'"),
    ("kubectl cp web:/etc/passwd x", "'cp'"),
    ("kubectl plugin list", "'plugin'"),
    ("kubectl edit deploy web", "'edit'"),
    ("kubectl debug web", "'debug'"),
    ("kubectl config view", "'config'"),
    ("kubectl run x --image=busybox", "'run'"),
    ("kubectl auth reconcile", "'auth reconcile'"),
    ("kubectl frobnicate", "'frobnicate'"),
])
def test_refused(command: str, named: str) -> None:
    with pytest.raises(CliRefused) as e:
        plan(command)
    assert str(e.value).startswith("command: ") and named in str(e.value)


@pytest.mark.parametrize(("command", "sub", "writes", "secrets", "has_ns"), [
    ("kubectl get pods", "get", False, False, False),
    ("kubectl -n kube-system get pods -o wide", "get", False, False, True),
    ("kubectl get pods -nkube-system -owide", "get", False, False, True),
    ("kubectl get pods -A -l 'app in (a,b)' -o jsonpath='{.items[*].metadata.name}'", "get", False, False, True),
    ("kubectl describe secret x", "describe", False, True, False),
    ("kubectl get secrets,configmaps", "get", False, True, False),
    ("kubectl get secret/x", "get", False, True, False),
    ("kubectl get secrets.v1", "get", False, True, False),
    ("kubectl get secretstores", "get", False, False, False),
    ("kubectl auth can-i list pods", "auth can-i", False, False, False),
    ("kubectl top pods", "top", False, False, False),
    ("kubectl logs web -c app --tail=10", "logs", False, False, False),
    ("kubectl scale deploy web --replicas=3", "scale", True, False, False),
    ("kubectl delete pod web", "delete", True, False, False),
    ("kubectl label pod web a=b", "label", True, False, False),
    ("kubectl rollout restart deploy/web", "rollout", True, False, False),
    ("kubectl version", "version", False, False, False),
    ("kubectl create token default", "create", True, True, False),
    ("kubectl create -n x token default", "create", True, True, True),
    ("kubectl create deployment web --image=nginx", "create", True, False, False),
])
def test_allowed(command: str, sub: str, writes: bool, secrets: bool, has_ns: bool) -> None:
    p = plan(command)
    assert (p.subcommand, p.writes, p.reads_secrets, p.has_namespace) == (sub, writes, secrets, has_ns)
    assert p.args[0] != "kubectl"


KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: a
contexts:
- {name: a, context: {cluster: c1, user: u1}}
- {name: b, context: {cluster: c2, user: u2}}
clusters:
- {name: c1, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: QQ==}}
- {name: c2, cluster: {server: "https://127.0.0.1:2"}}
users:
- {name: u1, user: {token: t1}}
- {name: u2, user: {exec: {command: /bin/sh}}}
"""


def test_member_kubeconfig_keeps_only_its_context_and_refuses_programs() -> None:
    import yaml
    cfg = yaml.safe_load(member_kubeconfig(KUBECONFIG, None, "m1"))
    assert cfg["current-context"] == "m1" and len(cfg["clusters"]) == len(cfg["users"]) == 1
    assert cfg["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:1"
    with pytest.raises(KubeconfigError, match="exec"):
        member_kubeconfig(KUBECONFIG, "b", "m1")
