import { describe, expect, it } from 'vitest';
import { applyWorkflow, WorkflowError } from '../../../../analytics/alerts/workflow.ts';
import { openAlert } from './inputs.ts';

const alert = { ...openAlert('zero_sale', 'S1', 'P1'), assignee: '王店长' };
const NOW = '2026-11-21T01:00:00.000Z';

describe('alert workflow', () => {
  it('acknowledges, resolves with a time, reassigns without touching the status', () => {
    expect(applyWorkflow(alert, { kind: 'ack' }, NOW)).toMatchObject({ status: 'acknowledged', updated_at: NOW, resolved_at: null });
    expect(applyWorkflow(alert, { kind: 'resolve' }, NOW)).toMatchObject({ status: 'resolved', resolved_at: NOW });
    expect(applyWorkflow(alert, { kind: 'assign', assignee: '张三' }, NOW)).toMatchObject({ status: 'open', assignee: '张三' });
  });

  it('refuses to acknowledge or resolve a resolved alert, but lets it be reassigned', () => {
    const resolved = applyWorkflow(alert, { kind: 'resolve' }, NOW);
    expect(() => applyWorkflow(resolved, { kind: 'ack' }, NOW)).toThrow(WorkflowError);
    expect(() => applyWorkflow(resolved, { kind: 'resolve' }, NOW)).toThrow(/already resolved/);
    expect(applyWorkflow(resolved, { kind: 'assign', assignee: 'reps:浦东' }, NOW)).toMatchObject({ status: 'resolved', assignee: 'reps:浦东' });
  });

  it('reopens a resolved alert (undoing the resolve) and refuses to reopen one that is not resolved', () => {
    const resolved = applyWorkflow(alert, { kind: 'resolve' }, NOW);
    const later = '2026-11-21T02:00:00.000Z';
    expect(applyWorkflow(resolved, { kind: 'reopen' }, later)).toMatchObject({ status: 'open', resolved_at: null, updated_at: later, assignee: '王店长' });
    expect(() => applyWorkflow(alert, { kind: 'reopen' }, NOW)).toThrow(/only a resolved alert can be reopened/);
  });
});
