import type { PlannedChange, Provisioner } from '../backend.js';

/** One change a provisioner's reading of the backend found, and how to make it. */
export interface ProvisionStep {
  readonly change: PlannedChange;
  apply(): Promise<unknown>;
}

/**
 * `plan` and `apply` of a provisioner, from the function that reads the backend and lists what
 * differs: `plan` returns the changes; `apply` reads afresh, then makes them in order.
 */
export function planAndApply(
  steps: () => Promise<readonly ProvisionStep[]>,
): Pick<Provisioner, 'plan' | 'apply'> {
  return {
    async plan() {
      return (await steps()).map((step) => step.change);
    },
    async apply() {
      const done: PlannedChange[] = [];
      for (const step of await steps()) {
        await step.apply();
        done.push(step.change);
      }
      return done;
    },
  };
}
