import pRetry from 'p-retry';
import { dueAt } from '../../analytics/alerts/deadlines.ts';
import type { StoredChannel } from '../../analytics/channels.ts';
import type { AlertType } from '../../contracts/enums.ts';
import { signature } from '../workers/notifier.ts';
import { alertLink, dingtalkBody, renderMessage, signedDingtalkUrl, wecomBody, webhookBody, type ChannelNotice } from './messages.ts';

export interface DeliveryOptions {
  /** The web app's address as people reach it, for the link back to the alert. */
  publicUrl: string;
  timezone: string;
  dueHours: Readonly<Record<AlertType, number>>;
  /** Attempts per delivery before it is dead-lettered, and the first pause between them (doubling). */
  attempts: number;
  minTimeoutMs: number;
}

/** A delivery the channel refused: the robot's errcode/errmsg or the HTTP status, which the dead letter keeps. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** The request one channel gets for one notice, in its platform's format. */
export function channelRequest(channel: StoredChannel, notice: ChannelNotice, o: DeliveryOptions, nowMs = Date.now()): { url: string; init: RequestInit } {
  const link = alertLink(o.publicUrl, notice.alert.id);
  const json = (body: object, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (channel.kind === 'webhook') {
    const body = JSON.stringify(webhookBody(notice, link));
    return {
      url: channel.url,
      init: {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shelfpulse-signature': signature(body, channel.secret),
          'x-shelfpulse-delivery': notice.notice_id,
          'x-shelfpulse-event': notice.event,
        },
        body,
      },
    };
  }
  const message = renderMessage(notice, { language: channel.language, link, dueAt: dueAt(notice.alert, o.dueHours), timezone: o.timezone });
  if (channel.kind === 'wecom') return { url: channel.url, init: json(wecomBody(message, link, channel.language)) };
  const url = channel.secret ? signedDingtalkUrl(channel.url, channel.secret, nowMs) : channel.url;
  return { url, init: json(dingtalkBody(message)) };
}

/** A channel's request, built again for each try (DingTalk's sign holds the time it is sent). */
export type ChannelRequest = (nowMs: number) => { url: string; init: RequestInit };

/** One try: the robots answer HTTP 200 with `errcode` ≠ 0 when they refuse (bad key, bad sign, too many messages). */
async function deliverOnce(channel: StoredChannel, request: ChannelRequest): Promise<void> {
  const { url, init } = request(Date.now());
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new DeliveryError(`${channel.kind} channel "${channel.name}" answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  if (channel.kind === 'webhook') return;
  let answer: { errcode?: number; errmsg?: string };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new DeliveryError(`${channel.kind} channel "${channel.name}" answered something that is not the robot's JSON; check its URL`);
  }
  if (answer.errcode !== 0)
    throw new DeliveryError(`${channel.kind} robot "${channel.name}" refused the message: errcode ${answer.errcode} ${answer.errmsg ?? ''}`.trim());
}

/** Sends a request with retries and a growing pause; resolves to the attempts it took, or throws the last failure. */
export async function deliverRequest(channel: StoredChannel, request: ChannelRequest, o: Pick<DeliveryOptions, 'attempts' | 'minTimeoutMs'>): Promise<number> {
  let attempts = 0;
  await pRetry(
    () => {
      attempts++;
      return deliverOnce(channel, request);
    },
    { retries: o.attempts - 1, minTimeout: o.minTimeoutMs, factor: 2 },
  );
  return attempts;
}

/** Delivers a notice with retries and a growing pause; resolves to the attempts it took, or throws the last failure. */
export function deliver(channel: StoredChannel, notice: ChannelNotice, o: DeliveryOptions): Promise<number> {
  return deliverRequest(channel, (nowMs) => channelRequest(channel, notice, o, nowMs), o);
}
