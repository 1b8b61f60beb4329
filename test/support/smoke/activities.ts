// Harness smoke activity: proves that a test worker runs activities for the smoke workflow.
// Activities are built by factories (DESIGN.md), even this one.

export interface SmokeGreeting {
  greeting: string;
  /** The worker process that ran the activity. */
  pid: number;
}

export function createSmokeActivities() {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- activities are async by contract
    async smokeGreet(name: string): Promise<SmokeGreeting> {
      return { greeting: `hello, ${name}`, pid: process.pid };
    },
  };
}

export type SmokeActivities = ReturnType<typeof createSmokeActivities>;
