// Side-by-side diff of two texts (jsdiff diffLines): two columns with line numbers; removed lines on the
// left and added lines on the right are highlighted and marked with "−" / "+" (and "removed" / "added"
// for screen readers), so the change does not depend on colour.
import { Box, Text, VisuallyHidden } from "@mantine/core";
import { diffLines } from "diff";
import { useMemo } from "react";
import classes from "./resources.module.css";

type Cell = { n: number; text: string; kind: "same" | "removed" | "added" } | null;
type Row = { left: Cell; right: Cell };

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function sideBySide(left: string, right: string): Row[] {
  const parts = diffLines(left, right);
  const rows: Row[] = [];
  let ln = 1;
  let rn = 1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p.added && !p.removed) {
      for (const text of splitLines(p.value)) rows.push({ left: { n: ln++, text, kind: "same" }, right: { n: rn++, text, kind: "same" } });
      continue;
    }
    if (p.removed) {
      const removed = splitLines(p.value);
      const next = parts[i + 1];
      const added = next && next.added ? splitLines(next.value) : [];
      if (next && next.added) i++;
      const n = Math.max(removed.length, added.length);
      for (let k = 0; k < n; k++) {
        rows.push({
          left: k < removed.length ? { n: ln++, text: removed[k], kind: "removed" } : null,
          right: k < added.length ? { n: rn++, text: added[k], kind: "added" } : null,
        });
      }
      continue;
    }
    for (const text of splitLines(p.value)) rows.push({ left: null, right: { n: rn++, text, kind: "added" } });
  }
  return rows;
}

function Side({ cell, removedLabel, addedLabel }: { cell: Cell; removedLabel: string; addedLabel: string }) {
  if (!cell) {
    return (
      <>
        <td className={`${classes.num} ${classes.blank}`} />
        <td className={`${classes.marker} ${classes.blank}`} />
        <td className={`${classes.code} ${classes.blank}`} />
      </>
    );
  }
  const cls = cell.kind === "removed" ? classes.removed : cell.kind === "added" ? classes.added : "";
  return (
    <>
      <td className={`${classes.num} ${cls}`}>{cell.n}</td>
      <td className={`${classes.marker} ${cls}`} aria-hidden>
        {cell.kind === "removed" ? "−" : cell.kind === "added" ? "+" : " "}
      </td>
      <td className={`${classes.code} ${cls}`} data-kind={cell.kind}>
        {cell.kind !== "same" && <VisuallyHidden>{cell.kind === "removed" ? removedLabel : addedLabel}: </VisuallyHidden>}
        {cell.text || " "}
      </td>
    </>
  );
}

export function DiffView({
  left,
  right,
  leftTitle,
  rightTitle,
  caption,
  removedLabel,
  addedLabel,
}: {
  left: string;
  right: string;
  leftTitle: string;
  rightTitle: string;
  caption: string;
  removedLabel: string;
  addedLabel: string;
}) {
  const rows = useMemo(() => sideBySide(left, right), [left, right]);
  return (
    <Box className={classes.scroll} tabIndex={0} role="region" aria-label={caption} data-testid="diff-view">
      <table className={classes.diff}>
        <caption className={classes.caption}>
          <VisuallyHidden>{caption}</VisuallyHidden>
        </caption>
        <colgroup>
          <col className={classes.numCol} />
          <col className={classes.markerCol} />
          <col />
          <col className={classes.numCol} />
          <col className={classes.markerCol} />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th colSpan={3} scope="colgroup" className={classes.head}>
              <Text size="sm" fw={600} span data-testid="diff-left-title">{leftTitle}</Text>
            </th>
            <th colSpan={3} scope="colgroup" className={classes.head}>
              <Text size="sm" fw={600} span data-testid="diff-right-title">{rightTitle}</Text>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <Side cell={r.left} removedLabel={removedLabel} addedLabel={addedLabel} />
              <Side cell={r.right} removedLabel={removedLabel} addedLabel={addedLabel} />
            </tr>
          ))}
        </tbody>
      </table>
    </Box>
  );
}
