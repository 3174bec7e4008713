import { EventEmitter } from 'node:events';
import type { Alert } from '../contracts/alerts.ts';

/** In-process fan-out of new and changed alerts to the live views (server-sent events) of this process. */
export class AlertBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(alert: Alert): void {
    this.emitter.emit('alert', alert);
  }

  /** Returns the function that stops listening. */
  listen(listener: (alert: Alert) => void): () => void {
    this.emitter.on('alert', listener);
    return () => this.emitter.off('alert', listener);
  }
}
