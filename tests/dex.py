"""Dex, a real OpenID Connect provider, on loopback for the sign-in tests: built from its Go module by
controlplane/build.sh, with static users and clients, memory storage (a restart is a key rotation: new
signing keys, same issuer)."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devcluster.kwok import bin_dir
from tests.helpers import Kubectl, free_port, wait_until
from tests.leaks import log_file

PASSWORD = "password"
# bcrypt of "password" (Dex's own example); every test user has it.
HASH = "$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W"
# email → groups as Dex puts them in the token; the shim maps them under the prefix "oidc:".
USERS = {"alice@example.com": ["cloudops-admins", "system:masters"],
         "victor@example.com": ["cloudops-viewers"],
         "mallory@example.com": ["system:masters"]}
CLIENT_ID, OTHER_CLIENT = "cloudops", "other-app"
SCOPES = "openid email profile groups offline_access"


@dataclass
class Dex:
    port: int
    workdir: Path
    redirect_uris: list[str]
    id_token_seconds: int
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/dex"

    def config(self) -> str:
        users = [{"email": email, "hash": HASH, "username": email.split("@")[0], "userID": f"id-{email.split('@')[0]}",
                  "emailVerified": True, "groups": groups} for email, groups in USERS.items()]
        return json.dumps({
            "issuer": self.issuer, "storage": {"type": "memory"}, "web": {"http": f"127.0.0.1:{self.port}"},
            "logger": {"level": "info"}, "enablePasswordDB": True,
            "expiry": {"idTokens": f"{self.id_token_seconds}s", "signingKeys": "6h"},
            "oauth2": {"skipApprovalScreen": True, "passwordConnector": "local"},
            "staticClients": [
                {"id": CLIENT_ID, "name": "CloudOps K8s", "secret": self.client_secret,
                 "redirectURIs": self.redirect_uris},
                {"id": OTHER_CLIENT, "name": "Another app", "secret": "other-secret",
                 "redirectURIs": ["http://127.0.0.1:9/callback"]}],
            "staticPasswords": users})

    def start(self) -> Dex:
        """Starts (or restarts: new signing keys) and waits for its discovery document."""
        self.stop()
        self.workdir.mkdir(parents=True, exist_ok=True)
        cfg = self.workdir / "dex.yaml"  # JSON is YAML
        cfg.write_text(self.config())
        out = open(log_file(self.workdir / "dex.log"), "ab")
        self.proc = subprocess.Popen([str(bin_dir() / "dex"), "serve", str(cfg)], stdout=out, stderr=out)
        wait_until(self._ready, timeout=30, what="Dex's discovery document")
        return self

    def _ready(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, "dex exited: " + self.log()[-2000:]
        try:
            with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log(self) -> str:
        try:
            return (self.workdir / "dex.log").read_text(errors="replace")
        except OSError:
            return ""

    def token(self, email: str, client: str = CLIENT_ID) -> str:
        """An ID token for `email` from Dex's token endpoint (the password grant), as a CLI would get one."""
        secret = self.client_secret if client == CLIENT_ID else "other-secret"
        form = urllib.parse.urlencode({"grant_type": "password", "username": email, "password": PASSWORD,
                                       "scope": SCOPES}).encode()
        req = urllib.request.Request(f"{self.issuer}/token", data=form, method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{client}:{secret}".encode()).decode())
        with urllib.request.urlopen(req, timeout=10) as r:
            return str(json.loads(r.read())["id_token"])

    def issuer_setting(self, **overrides: object) -> str:
        """CLOUDOPS_OIDC_ISSUERS naming this Dex (the client secret comes from the hub Secret `secret_name`)."""
        entry: dict[str, object] = {"name": "dex", "display_name": "Dex", "issuer": self.issuer,
                                    "client_id": CLIENT_ID, **overrides}
        return json.dumps([entry])


def new_dex(workdir: Path, redirect_uris: list[str], id_token_seconds: int = 60) -> Dex:
    return Dex(free_port(), workdir, redirect_uris, id_token_seconds)


def bind_groups(hub: Kubectl, namespace: str) -> None:
    """The mapped OIDC groups bound to the product's roles in its namespace, as an administrator would."""
    docs = []
    for group, role in (("oidc:cloudops-admins", "cloudops:admin"), ("oidc:cloudops-viewers", "cloudops:viewer")):
        docs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                     "metadata": {"name": group.replace(":", "-"), "namespace": namespace},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}]})
    hub("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
