"""Compliance checks (合规性管理 API): a pure check library, the patches that fix what is mechanical, scoring."""
