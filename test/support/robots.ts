import { createHmac } from 'node:crypto';
import http from 'node:http';

/**
 * Local stand-ins for the group robots alerts and digests are pushed to: each checks the body and signature its
 * platform documents and answers as the platform does. Only loopback: nothing leaves the machine.
 */

export const DINGTALK_SECRET = 'SEC0123456789abcdef0123456789abcdef';
const HOUR = 3_600_000;

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: any;
  raw: string;
  /** What the receiver answered, as the platform would. */
  accepted: boolean;
}

/**
 * WeCom's group robot (企业微信群机器人): POST …/cgi-bin/webhook/send?key=KEY, {"msgtype":"markdown","markdown":{"content"}},
 * content at most 4096 bytes (else errcode 40058); answers {"errcode":0,"errmsg":"ok"} (40008 for a bad msgtype).
 */
function wecomAnswer(r: Received): { errcode: number; errmsg: string } {
  if (r.query.get('key') !== 'robot-key' || r.body?.msgtype !== 'markdown' || typeof r.body.markdown?.content !== 'string' || Object.keys(r.body).length !== 2)
    return { errcode: 40008, errmsg: 'invalid message type' };
  if (Buffer.byteLength(r.body.markdown.content) > 4096) return { errcode: 40058, errmsg: 'content exceed max length' };
  return { errcode: 0, errmsg: 'ok' };
}

/**
 * DingTalk's group robot (钉钉群机器人) with 加签: POST …/robot/send?access_token=T&timestamp=MS&sign=S where
 * S = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))), the timestamp within an hour;
 * {"msgtype":"markdown","markdown":{"title","text"}}. Answers errcode 310000 when the sign does not match.
 */
function dingtalkAnswer(r: Received): { errcode: number; errmsg: string } {
  const timestamp = r.query.get('timestamp') ?? '';
  const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
  // URLSearchParams has already url-decoded `sign`.
  if (r.query.get('sign') !== expected || Math.abs(Date.now() - Number(timestamp)) > HOUR) return { errcode: 310000, errmsg: 'sign not match' };
  const ok = r.query.get('access_token') === 'robot-token' && r.body?.msgtype === 'markdown' && r.body.markdown?.title && r.body.markdown?.text;
  return ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 40035, errmsg: 'missing parameter' };
}

export interface Robots {
  /** `http://127.0.0.1:PORT`: WeCom at `/cgi-bin/webhook/send` (under any prefix), DingTalk at `/robot/send`, a webhook at `/hook`. */
  base: string;
  received: Received[];
  on(path: string): Received[];
  close(): void;
}

/** Starts the receivers; `failure` may answer a request with an HTTP error status instead (an outage, a flaky robot). */
export async function startRobots(failure: (r: Received) => number | undefined = () => undefined): Promise<Robots> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://receiver');
      const r: Received = { path: url.pathname, query: url.searchParams, headers: req.headers, raw, body: JSON.parse(raw || 'null'), accepted: false };
      received.push(r);
      const reply = (status: number, body?: { errcode: number }) => {
        r.accepted = status === 200 && (!body || body.errcode === 0);
        res.writeHead(status, { 'content-type': 'application/json' }).end(body ? JSON.stringify(body) : '');
      };
      const failed = failure(r);
      if (failed !== undefined) return reply(failed);
      if (r.path.endsWith('/cgi-bin/webhook/send')) return reply(200, wecomAnswer(r));
      if (r.path === '/robot/send') return reply(200, dingtalkAnswer(r));
      if (r.path === '/hook') return reply(200);
      reply(404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    close: () => server.close(),
  };
}
