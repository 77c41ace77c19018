"""The containers section (容器运维): logs, commands, web terminals and files of containers in members.

Each service takes a resolved cluster and container id (`cloudops.containers.ids.ContainerId`) with the
validated input (`models`), reaches the pod through the member session and answers a response model; streams
(a followed log, an export, a download, a terminal) come back as domain objects the shim sends on.
"""

from cloudops.services.containers.execs import ContainerExec
from cloudops.services.containers.files import ContainerFiles, FileDownload
from cloudops.services.containers.follow import FollowEvent, KeepAlive, LogEvent, LogFollow, StreamEnd, StreamFailed
from cloudops.services.containers.logs import ContainerLogs, LogExport
from cloudops.services.containers.terminals import Terminals, TerminalSession

__all__ = ["ContainerExec", "ContainerFiles", "ContainerLogs", "FileDownload", "FollowEvent", "KeepAlive",
           "LogEvent", "LogExport", "LogFollow", "StreamEnd", "StreamFailed", "TerminalSession", "Terminals"]
