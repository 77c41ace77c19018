// Search matches in a log line, marked with <mark>.
import { Fragment, type ReactNode } from "react";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A global, case-insensitive pattern for `search` (a substring, or a regex); null when empty or invalid. */
export function searchPattern(search: string, regex: boolean): RegExp | null {
  if (!search) return null;
  try {
    return new RegExp(regex ? search : escapeRegExp(search), "gi");
  } catch {
    return null;
  }
}

export function Highlighted({ text, pattern }: { text: string; pattern: RegExp | null }) {
  if (!pattern) return <>{text}</>;
  const out: ReactNode[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = pattern.exec(text)) !== null && guard++ < 1000) {
    if (m[0].length === 0) {
      pattern.lastIndex++; // an empty match (e.g. `a*`): nothing to mark, move on
      continue;
    }
    if (m.index > last) out.push(<Fragment key={`t${last}`}>{text.slice(last, m.index)}</Fragment>);
    out.push(<mark key={`m${m.index}`}>{m[0]}</mark>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(<Fragment key={`t${last}`}>{text.slice(last)}</Fragment>);
  return <>{out}</>;
}
