// Swagger UI leaves a few things out that assistive technologies need; this fills them in as it renders:
// a name for each parameter's <select> (the parameter's name) and for the example pickers, and keyboard
// focus for scrollable code blocks (so they can be scrolled without a mouse). Colours are in the CSS.
export function patchSwaggerA11y(root: HTMLElement): () => void {
  let frame = 0;
  const patch = () => {
    frame = 0;
    root.querySelectorAll<HTMLSelectElement>("select:not([aria-label]):not([aria-labelledby])").forEach((s) => {
      if (s.labels && s.labels.length > 0) return;
      const param = s.closest<HTMLElement>("tr[data-param-name]")?.dataset.paramName;
      const label = param
        ? param
        : s.classList.contains("examples-select-element")
          ? "Examples"
          : s.closest(".content-type-wrapper, .response-control-media-type")
            ? "Media type"
            : s.closest(".servers")
              ? "Server"
              : "Choose";
      s.setAttribute("aria-label", label);
    });
    root.querySelectorAll<HTMLElement>("pre.microlight:not([tabindex]), .highlight-code pre:not([tabindex])").forEach((p) => {
      p.tabIndex = 0;
    });
    root.querySelectorAll<HTMLInputElement>("input:not([aria-label]):not([id])").forEach((i) => {
      const param = i.closest<HTMLElement>("tr[data-param-name]")?.dataset.paramName;
      const label = param ?? i.getAttribute("placeholder");
      if (label) i.setAttribute("aria-label", label);
    });
    root.querySelectorAll<HTMLTextAreaElement>("textarea:not([aria-label])").forEach((ta) => {
      if (ta.labels && ta.labels.length > 0) return;
      ta.setAttribute("aria-label", ta.classList.contains("body-param__text") ? "Request body" : "Value");
    });
  };
  const observer = new MutationObserver(() => {
    if (!frame) frame = requestAnimationFrame(patch);
  });
  observer.observe(root, { childList: true, subtree: true });
  patch();
  return () => {
    observer.disconnect();
    if (frame) cancelAnimationFrame(frame);
  };
}
