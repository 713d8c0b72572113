/** Below this zoom 12px labels are under 7px: Fit stops there (the wheel may still go further). */
export const MIN_FIT_SCALE = 0.6;

/** Fit never enlarges a small graph more than this: a two-task DAG stays a diagram, not a poster. */
export const MAX_FIT_SCALE = 2;
