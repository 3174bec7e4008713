/**
 * The platform's idea of now for deadlines: alert steps, escalation and the workflow KPIs read it. It runs with
 * the system clock; a test moves it forward to walk an alert past its due time without waiting.
 */
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
