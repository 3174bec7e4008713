import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '../../pipelines/topics.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'mock-cluster.c');
const BINARY = path.join(here, 'mock-cluster');

/** Builds the launcher when it is missing or older than its source. */
export function buildMockCluster(): string {
  if (fs.existsSync(BINARY) && fs.statSync(BINARY).mtimeMs >= fs.statSync(SOURCE).mtimeMs) return BINARY;
  if (!fs.existsSync('/usr/include/librdkafka/rdkafka_mock.h')) {
    throw new Error('the Kafka test broker needs librdkafka-dev: apt-get install -y librdkafka-dev (or set KAFKA_BROKERS to a real cluster)');
  }
  execFileSync('cc', ['-O1', '-o', BINARY, SOURCE, '-lrdkafka'], { stdio: 'inherit' });
  return BINARY;
}

export interface MockCluster {
  bootstrap: string;
  brokers: string[];
  /** Sends one control command (see mock-cluster.c) and waits for its "ok". */
  command(line: string): Promise<void>;
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
  return {
    bootstrap,
    brokers: bootstrap.split(','),
    async command(line) {
      child.stdin.write(`${line}\n`);
      const answer = await nextLine();
      if (answer !== 'ok') throw new Error(`mock cluster refused "${line}": ${answer}`);
    },
    async stop() {
      child.stdin.end();
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}
