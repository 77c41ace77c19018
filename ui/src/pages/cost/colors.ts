// Colours of the cost parts (CPU, memory, storage, GPU), shared by the chart (lazy chunk) and its legend.
export const PART_COLORS = ["#1971c2", "#7048e8", "#e8590c", "#2f9e44"] as const;
