/** The retention values PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/**
 * The allowed retention nearest to `days` (a tie goes to the longer one: keeping logs a little
 * longer is the safer mistake), and whether it differs from what was asked.
 */
export function snapRetentionDays(days: number): {
  readonly days: number;
  readonly snapped: boolean;
} {
  let best: number = RETENTION_DAYS[0];
  for (const allowed of RETENTION_DAYS) {
    if (Math.abs(allowed - days) <= Math.abs(best - days)) best = allowed;
  }
  return { days: best, snapped: best !== days };
}
