// Languages: English and 简体中文. Each page keeps its own dictionary next to it:
//
//   const dict = { en: { title: "Clusters", n: "{count} clusters" }, zh: { title: "集群", n: "{count} 个集群" } };
//   const t = useT(dict);  t("title"); t("n", { count: 3 });
//
// Missing zh keys fall back to en, then to the key. The choice lives in localStorage `cloudops.lang`
// (`?lang=zh` or `?lang=en` in the URL sets it too) and in <html lang>.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type Lang = "en" | "zh";
export const LANGS: Lang[] = ["en", "zh"];
const STORAGE = "cloudops.lang";

export type Dict<K extends string = string> = { en: Record<K, string>; zh: Partial<Record<K, string>> };
export type Vars = Record<string, string | number | null | undefined>;
export type TFunc<K extends string> = (key: K, vars?: Vars) => string;

function initialLang(): Lang {
  try {
    const q = new URLSearchParams(window.location.search).get("lang");
    if (q === "en" || q === "zh") {
      localStorage.setItem(STORAGE, q);
      return q;
    }
    const s = localStorage.getItem(STORAGE);
    if (s === "en" || s === "zh") return s;
  } catch {
    /* storage unavailable */
  }
  return navigator.language?.toLowerCase().startsWith("zh") ? "zh" : "en";
}

type Ctx = { lang: Lang; setLang: (l: Lang) => void };
const LangContext = createContext<Ctx>({ lang: "en", setLang: () => {} });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    try {
      localStorage.setItem(STORAGE, l);
    } catch {
      /* ignore */
    }
    setLangState(l);
  }, []);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

/** `{lang, setLang}` */
export function useLang(): Ctx {
  return useContext(LangContext);
}

export function format(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
}

/** Translator for one dictionary; `t(key, vars)` with `{name}` placeholders. */
export function useT<K extends string>(dict: Dict<K>): TFunc<K> {
  const { lang } = useLang();
  return useCallback(
    (key: K, vars?: Vars) => {
      const text = (lang === "zh" ? dict.zh[key] : undefined) ?? dict.en[key] ?? key;
      return format(text, vars);
    },
    [lang, dict],
  );
}

/** Formats a date/time in the chosen language (local time). */
export function useFormatDate(): (iso: string | null | undefined) => string {
  const { lang } = useLang();
  return useCallback(
    (iso) => {
      if (!iso) return "—";
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      return d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
    },
    [lang],
  );
}
