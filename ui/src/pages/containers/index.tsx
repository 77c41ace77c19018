// The containers area: /ui/containers (pick a container) and /ui/containers/:id/(logs|terminal|files),
// `:id` = `<cluster>:<namespace>:<pod>:<container>`.
import type { ReactNode } from "react";
import { Navigate, Route, Routes, useParams } from "react-router";
import { EmptyState } from "../../components/EmptyState";
import { useT } from "../../i18n";
import FilesPage from "./FilesPage";
import { dict } from "./i18n";
import { containerRoute, parseContainerId, type ContainerRef } from "./ids";
import LogsPage from "./LogsPage";
import Picker from "./Picker";
import TerminalPage from "./TerminalPage";

function WithContainer({ render }: { render: (c: ContainerRef) => ReactNode }) {
  const t = useT(dict);
  const { id = "" } = useParams();
  const container = parseContainerId(id);
  if (!container) return <EmptyState title={t("badId")} description={t("badIdText", { id })} />;
  // key: a different container is a fresh page (streams and sockets closed, state reset)
  return <div key={container.id}>{render(container)}</div>;
}

export default function ContainersArea() {
  return (
    <Routes>
      <Route index element={<Picker />} />
      <Route path=":id/logs" element={<WithContainer render={(c) => <LogsPage container={c} />} />} />
      <Route path=":id/terminal" element={<WithContainer render={(c) => <TerminalPage container={c} />} />} />
      <Route path=":id/files" element={<WithContainer render={(c) => <FilesPage container={c} />} />} />
      <Route path=":id" element={<RedirectToLogs />} />
      <Route path="*" element={<Navigate to="/containers" replace />} />
    </Routes>
  );
}

function RedirectToLogs() {
  const { id = "" } = useParams();
  return <Navigate to={containerRoute(id, "logs")} replace />;
}
