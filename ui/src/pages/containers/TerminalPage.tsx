// /ui/containers/:id/terminal — shown only to callers who may exec in the container's cluster.
import { lazy, Suspense } from "react";
import { canDo, useAuth } from "../../auth";
import { EmptyState } from "../../components/EmptyState";
import { Loading } from "../../components/Loading";
import { useT } from "../../i18n";
import { ContainerHeader } from "./ContainerHeader";
import { dict } from "./i18n";
import type { ContainerRef } from "./ids";

const TerminalView = lazy(() => import("./TerminalView"));

export default function TerminalPage({ container }: { container: ContainerRef }) {
  const t = useT(dict);
  const { whoamiFor } = useAuth();
  const who = whoamiFor(container.cluster);
  return (
    <>
      <ContainerHeader container={container} tab="terminal" />
      {!who ? (
        <Loading />
      ) : !canDo(who, "exec", "create") ? (
        <EmptyState title={t("noExec")} description={t("noExecText")} />
      ) : (
        <Suspense fallback={<Loading label={t("termLoading")} />}>
          <TerminalView container={container} />
        </Suspense>
      )}
    </>
  );
}
