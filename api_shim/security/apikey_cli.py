"""`cloudops-apikey create|revoke|list`: manage REST API keys in the hub (KUBECONFIG, CLOUDOPS_NAMESPACE)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api_shim.security.apikeys import create_api_key, list_api_keys, secret_name
from cloudops.kube.client import hub_client
from cloudops.kube.secrets import Secrets
from cloudops.settings import Settings

__all__ = ["main"]


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    hub = await hub_client(settings.kubeconfig)
    try:
        if args.cmd == "create":
            key = await create_api_key(hub, settings.namespace, args.user, args.group)
            print(key)  # shown once; only its hash is stored
        elif args.cmd == "revoke":
            gone = await Secrets(hub, settings.namespace).delete(secret_name(args.key_id))
            print("revoked" if gone else "no such key", file=sys.stderr)
            return 0 if gone else 1
        else:
            keys = await list_api_keys(hub, settings.namespace)
            rows = [("ID", "USER", "GROUPS", "CREATED")] + [
                (k.key_id, k.user, ",".join(k.groups) or "-", k.created) for k in keys]
            widths = [max(len(r[i]) for r in rows) for i in range(3)]
            for r in rows:
                print("  ".join([*(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)), r[3]]))
    finally:
        await hub.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="cloudops-apikey", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create", help="create a key and print it once")
    c.add_argument("--user", required=True)
    c.add_argument("--group", action="append", default=[], help="repeatable, e.g. cloudops:admins")
    sub.add_parser("revoke", help="revoke a key by its id (the part after cok_)").add_argument("key_id")
    sub.add_parser("list", help="list the keys: id, user, groups, creation time (never the key)")
    return asyncio.run(_run(p.parse_args(argv), Settings.from_env()))


if __name__ == "__main__":
    sys.exit(main())
