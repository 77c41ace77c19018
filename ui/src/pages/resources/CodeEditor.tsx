// CodeMirror 6 with YAML highlighting: a chunk of its own, loaded by YamlEditor when first shown.
// Read-only stays focusable (the text can be read with the keyboard, selected and copied); Tab is
// never captured, so keyboard users leave the editor with Tab as anywhere else.
import { useEffect, useRef } from "react";
import { basicSetup } from "codemirror";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";

export type CodeEditorProps = {
  value: string;
  onChange?: (value: string) => void;
  readOnly: boolean;
  label: string;
  dark: boolean;
  minHeight?: number;
  maxHeight?: number;
  autoFocus?: boolean;
};

// defaultHighlightStyle's colours, two of them darkened to keep 4.5:1 on white, and a set for dark backgrounds.
const LIGHT: Record<string, string> = { "#e40": "#b83200", "#f00": "#c40000" };
const DARK: Record<string, string> = {
  "#404740": "#b4bdb4", "#708": "#d9a6ff", "#219": "#9cbcff", "#164": "#8fdcaa", "#a11": "#ffa294",
  "#e40": "#ffb374", "#00f": "#9cbcff", "#30a": "#c9a8ff", "#085": "#72dfc2", "#167": "#84d6e3",
  "#256": "#a2d2e8", "#00c": "#a6b8ff", "#940": "#dfa86f", "#f00": "#ff8080",
};

function remap(map: Record<string, string>, fallback?: string) {
  return HighlightStyle.define(
    defaultHighlightStyle.specs.map((s) => {
      const color = typeof s.color === "string" ? map[s.color] ?? fallback ?? s.color : s.color;
      return { ...s, color };
    }),
  );
}
const lightStyle = remap(LIGHT);
const darkStyle = remap(DARK, "#e6e6e6");

function themeFor(dark: boolean, minHeight: number, maxHeight: number) {
  return [
    EditorView.theme(
      {
        "&": {
          fontSize: "13px",
          border: "1px solid var(--mantine-color-default-border)",
          borderRadius: "var(--mantine-radius-sm)",
          backgroundColor: dark ? "var(--mantine-color-dark-7)" : "var(--mantine-color-white)",
          color: dark ? "#e6e6e6" : "#1a1a1a",
        },
        "&.cm-focused": { outline: "2px solid var(--mantine-color-blue-filled)", outlineOffset: "1px" },
        ".cm-scroller": {
          fontFamily: "var(--mantine-font-family-monospace)",
          minHeight: `${minHeight}px`,
          maxHeight: `${maxHeight}px`,
          overflow: "auto",
        },
        ".cm-content": { caretColor: dark ? "#ffffff" : "#000000" },
        ".cm-gutters": {
          backgroundColor: dark ? "var(--mantine-color-dark-6)" : "#f3f3f3",
          color: dark ? "#b8b8b8" : "#595959",
          borderRight: "1px solid var(--mantine-color-default-border)",
        },
        ".cm-activeLine": { backgroundColor: dark ? "#ffffff0d" : "#0000000a" },
        ".cm-activeLineGutter": { backgroundColor: dark ? "#ffffff14" : "#e6e6e6", color: dark ? "#ffffff" : "#1a1a1a" },
        "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
          backgroundColor: dark ? "#3a5a8a" : "#c8dcff",
        },
        ".cm-foldPlaceholder": { color: dark ? "#e6e6e6" : "#1a1a1a" },
      },
      { dark },
    ),
    syntaxHighlighting(dark ? darkStyle : lightStyle),
  ];
}

export default function CodeEditor({
  value,
  onChange,
  readOnly,
  label,
  dark,
  minHeight = 200,
  maxHeight = 560,
  autoFocus,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const ro = useRef(new Compartment());
  const look = useRef(new Compartment());
  const aria = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          EditorState.tabSize.of(2),
          ro.current.of([EditorState.readOnly.of(readOnly)]),
          look.current.of(themeFor(dark, minHeight, maxHeight)),
          aria.current.of(EditorView.contentAttributes.of({ "aria-label": label })),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    if (autoFocus) v.focus();
    return () => {
      v.destroy();
      view.current = null;
    };
    // created once; the effects below keep it in step with the props
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    if (v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch({ effects: ro.current.reconfigure([EditorState.readOnly.of(readOnly)]) });
    if (!readOnly && autoFocus) v.focus();
  }, [readOnly, autoFocus]);

  useEffect(() => {
    view.current?.dispatch({ effects: look.current.reconfigure(themeFor(dark, minHeight, maxHeight)) });
  }, [dark, minHeight, maxHeight]);

  useEffect(() => {
    view.current?.dispatch({ effects: aria.current.reconfigure(EditorView.contentAttributes.of({ "aria-label": label })) });
  }, [label]);

  return <div ref={host} data-testid="yaml-editor" data-readonly={readOnly ? "true" : "false"} />;
}
