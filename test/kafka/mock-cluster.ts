import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '../../pipelines/log/topics.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'mock-cluster.c');
const BINARY = path.join(here, 'mock-cluster');

/** Builds the launcher when it is missing or older than its source. */
export function buildMockCluster(): string {
  if (fs.existsSync(BINARY) && fs.statSync(BINARY).mtimeMs >= fs.statSync(SOURCE).mtimeMs) return BINARY;
  try {
    execFileSync('cc', ['-O1', '-o', BINARY, SOURCE, '-lrdkafka'], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (err) {
    const cause = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(
      `could not build the Kafka test broker (${BINARY}): it needs a C compiler and librdkafka-dev — apt-get install -y gcc librdkafka-dev (or set KAFKA_BROKERS to a real cluster)\n${cause}`,
    );
  }
  return BINARY;
}

export interface MockCluster {
  bootstrap: string;
  brokers: string[];
  /** The broker process, for measuring its CPU time. */
  pid: number;
  /** Takes broker `id` (1-based) down: its connections are refused until brokerUp. */
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  /** Moves a partition's leadership (the mock has no controller to fail over by itself). */
  moveLeader(topic: string, partition: number, id: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts librdkafka's mock cluster: a real Kafka-protocol broker set on loopback with the platform's topics. */
export async function startMockCluster(options: { brokers?: number; partitions?: number; topics?: readonly string[] } = {}): Promise<MockCluster> {
  const binary = buildMockCluster();
  const child: ChildProcessWithoutNullStreams = spawn(binary, [String(options.brokers ?? 3), String(options.partitions ?? 3), ...(options.topics ?? TOPICS)]);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`mock cluster did not answer: ${stderr}`)), 10_000);
      waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const bootstrap = await nextLine();
  const command = async (line: string) => {
    child.stdin.write(`${line}\n`);
    const answer = await nextLine();
    if (answer !== 'ok') throw new Error(`mock cluster refused "${line}": ${answer}`);
  };
  return {
    bootstrap,
    brokers: bootstrap.split(','),
    pid: child.pid!,
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    moveLeader: (topic, partition, id) => command(`leader ${topic} ${partition} ${id}`),
    async stop() {
      child.stdin.end();
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}
