import { createTheme, Drawer, Modal, Notification, type CSSVariablesResolver } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "blue",
  // shade 9 for filled variants, with black text where white would fall below 4.5:1 (autoContrast)
  primaryShade: { light: 9, dark: 9 },
  autoContrast: true,
  luminanceThreshold: 0.179,
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
  defaultRadius: "sm",
  components: {
    // icon-only close buttons need a name (axe: button-name); "Dismiss", so "Close" stays unambiguous for tests
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } }),
  },
});

const LIGHT_VARIANT_TEXT: Record<string, string> = {"blue":"#1864ab","red":"#a82323","green":"#257535","yellow":"#a15300","orange":"#b83d0d","gray":"#212529","teal":"#077252","cyan":"#0a6c7e","grape":"#862e9c","violet":"#5f3dc4","indigo":"#364fc7","pink":"#a61e4d","lime":"#4a760a","dark":"#141414"};

// Dimmed text that still passes WCAG AA (4.5:1) on the body background in both schemes.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    // field errors: Mantine's red-6 is 4.0:1 on white, red-8 passes AA
    "--mantine-color-error": "var(--mantine-color-red-8)",
    // text of "light" variants (badges, active nav links, subtle buttons): dark enough for 4.5:1 on their tint
    ...Object.fromEntries(Object.entries(LIGHT_VARIANT_TEXT).map(([c, v]) => [`--mantine-color-${c}-light-color`, v])),
  },
  dark: { "--mantine-color-dimmed": "var(--mantine-color-dark-1)" },
});
