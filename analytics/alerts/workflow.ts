import type { Alert } from '../../contracts/alerts.ts';

export type WorkflowAction = { kind: 'ack' } | { kind: 'resolve' } | { kind: 'reopen' } | { kind: 'assign'; assignee: string };

/** Why a workflow step cannot apply; the route turns it into a 409/400 the reader can act on. */
export class WorkflowError extends Error {
  override name = 'WorkflowError';
}

/**
 * The next version of an alert after a person's action. Acknowledging or resolving a resolved alert is refused
 * (it is closed); reopening undoes a resolve, so only a resolved alert can be reopened; reassigning keeps the
 * status, so a resolved alert can still be handed to someone for follow-up.
 */
export function applyWorkflow(alert: Alert, action: WorkflowAction, now: string): Alert {
  if (action.kind === 'assign') return { ...alert, assignee: action.assignee, updated_at: now };
  if (action.kind === 'reopen') {
    if (alert.status !== 'resolved') throw new WorkflowError(`alert ${alert.id} is ${alert.status}, not resolved: only a resolved alert can be reopened`);
    return { ...alert, status: 'open', updated_at: now, resolved_at: null };
  }
  if (alert.status === 'resolved') throw new WorkflowError(`alert ${alert.id} is already resolved; reopen it first`);
  if (action.kind === 'ack') return { ...alert, status: 'acknowledged', updated_at: now };
  return { ...alert, status: 'resolved', updated_at: now, resolved_at: now };
}
