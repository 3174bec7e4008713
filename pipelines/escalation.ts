import type { Logger } from 'pino';
import { alertById } from '../analytics/alerts/alert-rows.ts';
import { escalationDue } from '../analytics/alerts/deadlines.ts';
import { escalationRecipients } from '../analytics/alerts/routing.ts';
import { escalationLevels, overdueAlerts, saveActions, type StoredAction } from '../analytics/alerts/trail.ts';
import { routingRules } from '../analytics/channels.ts';
import type { Warehouse } from '../analytics/warehouse.ts';
import type { AlertType } from '../contracts/enums.ts';
import { routableUsers } from './alert-routing.ts';
import type { ChannelNotice } from './channels/messages.ts';
import type { Clock } from './clock.ts';
import type { EventLog, Subscription } from './log/event-log.ts';

export interface EscalationRun {
  escalated: { alert_id: string; level: number; to: string[] }[];
}

/**
 * Overdue alerts climb a level: at their due time to the territory lead, a due period later to the sales director.
 * Each level is reached once: the step is kept in the alert's trail (`escalate`, by `escalation`, with whom it went
 * to) before the notice goes to the channels that take that level, so a second run finds it done.
 */
export class Escalation {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly dueHours: Readonly<Record<AlertType, number>>,
  ) {}

  async run(now: Date): Promise<EscalationRun> {
    const overdue = await overdueAlerts(this.warehouse, this.dueHours, now);
    if (overdue.length === 0) return { escalated: [] };
    const reached = await escalationLevels(
      this.warehouse,
      overdue.map((a) => a.id),
    );
    const climbing = overdue.flatMap((a) => {
      const due = escalationDue(a, this.dueHours, now);
      const from = reached.get(a.id) ?? 0;
      return due > from ? [{ alert: a, levels: ([1, 2] as const).filter((l) => l > from && l <= due) }] : [];
    });
    if (climbing.length === 0) return { escalated: [] };
    const [rules, users] = await Promise.all([routingRules(this.warehouse), routableUsers(this.warehouse)]);
    const steps: StoredAction[] = [];
    const notices: ChannelNotice[] = [];
    for (const { alert, levels } of climbing) {
      const full = await alertById(this.warehouse, alert.id);
      if (!full) continue;
      for (const level of levels) {
        const to = escalationRecipients(alert, level, rules, users);
        const id = `escalate:${alert.id}:${level}`;
        steps.push({
          action_id: id,
          alert_id: alert.id,
          action: 'escalate',
          actor: 'escalation',
          at: now.toISOString(),
          assignee: to.join(','),
          level,
          note: '',
          territory: alert.territory,
        });
        notices.push({ notice_id: id, event: 'escalated', alert: full, level, recipients: to });
      }
    }
    await saveActions(this.warehouse, steps);
    if (notices.length > 0)
      await this.log.publish(
        'channel-notices',
        notices.map((n) => ({ key: n.alert.store_id, value: n })),
      );
    return { escalated: steps.map((s) => ({ alert_id: s.alert_id, level: s.level, to: s.assignee ? s.assignee.split(',') : [] })) };
  }
}

/** Checks for overdue alerts every minute (the alerts role runs it). */
export function startEscalation(escalation: Escalation, clock: Clock, logger: Logger, everyMs = 60_000): Subscription {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = escalation.run(clock.now()).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'escalation check failed; next minute retries'));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
