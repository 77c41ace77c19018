// Highlighted YAML, read-only or editable. CodeMirror is a lazy chunk: the list page never loads it.
//   <YamlEditor value={text} onChange={setText} readOnly={!editing} label="YAML of web" />
import { lazy, Suspense } from "react";
import { Skeleton, useComputedColorScheme } from "@mantine/core";
import type { CodeEditorProps } from "./CodeEditor";

const CodeEditor = lazy(() => import("./CodeEditor"));

export function YamlEditor(props: Omit<CodeEditorProps, "dark"> & { loadingLabel?: string }) {
  const scheme = useComputedColorScheme("light");
  const { loadingLabel, ...rest } = props;
  return (
    <Suspense
      fallback={
        <Skeleton height={rest.minHeight ?? 200} radius="sm" role="status" aria-label={loadingLabel ?? "…"} />
      }
    >
      <CodeEditor {...rest} dark={scheme === "dark"} />
    </Suspense>
  );
}
