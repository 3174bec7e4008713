import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  recentPhotoIds,
  recognitionJob,
  runningRecognitionJobs,
  saveRecognitionJob,
  unknownPacks,
  type RecognitionJob,
} from '../analytics/recognition-jobs.ts';
import type { ProductReference } from '../contracts/records.ts';
import type { AssignPacks, RecognitionJobView, UnknownPackGroups } from '../contracts/teaching.ts';
import { addDays, localDay, previousDay } from '../lib/days.ts';
import { groupLookAlikes, packLooks } from '../vision/look-alikes.ts';
import type { AlertService } from './alert-service.ts';
import type { PhotoIntake } from './photo-intake.ts';
import type { PhotoStore } from './photo-store.ts';
import type { ProductCatalogue } from './product-catalogue.ts';
import type { Warehouse } from '../analytics/warehouse.ts';

export interface TeachingDeps {
  warehouse: Warehouse;
  photoFiles: PhotoStore;
  catalogue: ProductCatalogue;
  intake: PhotoIntake;
  alertService: AlertService;
  logger: Logger;
  /** The platform zone: "the last N days" and the close after a job are counted in it. */
  timezone: string;
}

/** At most this many photos are scanned for unknown packs, newest first. */
const PHOTOS_SCANNED = 60;
/** Naming a group keeps this many of its crops as reference images (varied looks help; more add little). */
const REFERENCES_PER_NAMING = 3;
/** Photos recognised again after a naming, newest first. */
const MAX_PHOTOS_PER_JOB = 5_000;

const view = (job: RecognitionJob): RecognitionJobView => ({
  job_id: job.job_id,
  sku: job.sku,
  status: job.status,
  total: job.photo_ids.length,
  done: job.done,
  failed: job.failed,
  created_at: job.created_at,
  finished_at: job.finished_at,
});

/**
 * Teaching recognition the packs it did not know: unknown packs of recent photos grouped by look-alike; a person
 * names some of them, their crops become the SKU's reference images, and the photos of the last days are
 * recognised again (a job that survives a restart: it resumes at the first photo not yet done), after which the
 * daily close runs again so that share of shelf and the vision alerts follow.
 */
export class Teaching {
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: TeachingDeps) {}

  private today(): string {
    return localDay(Date.now(), this.deps.timezone);
  }

  async unknownGroups(scope: { storeIds: readonly string[]; days: number }): Promise<UnknownPackGroups> {
    const photos = await unknownPacks(this.deps.warehouse, { storeIds: scope.storeIds, from: addDays(this.today(), -(scope.days - 1)), limit: PHOTOS_SCANNED });
    const packs: UnknownPackGroups['groups'][number]['packs'] = [];
    const looks: Float32Array[] = [];
    for (const photo of photos) {
      const jpeg = await this.deps.photoFiles.derivative(photo.photo_id);
      if (!jpeg) continue;
      looks.push(
        ...(await packLooks(
          jpeg,
          photo.packs.map((p) => p.bbox),
        )),
      );
      packs.push(...photo.packs.map((p) => ({ photo_id: photo.photo_id, store_id: photo.store_id, taken_at: photo.taken_at, bbox: p.bbox, text: p.text })));
    }
    const groups = groupLookAlikes(looks).map((members) => {
      const groupPacks = members.map((i) => packs[i]!);
      const first = groupPacks[0]!;
      return { group_id: `${first.photo_id.slice(0, 16)}:${first.bbox.join(',')}`, text: mostCommon(groupPacks.map((p) => p.text)), packs: groupPacks };
    });
    return { groups };
  }

  /** Names packs: up to three crops become reference images of the SKU, and a job recognises recent photos again. */
  async assign(request: AssignPacks, by: string): Promise<{ references: ProductReference[]; job: RecognitionJobView }> {
    const references = [];
    for (const pack of pickVaried(request.packs, REFERENCES_PER_NAMING)) {
      references.push(await this.deps.catalogue.addReference(request.sku, { kind: 'photo', photoId: pack.photo_id, bbox: pack.bbox }, by));
    }
    const days = request.days ?? 14;
    const photoIds = await recentPhotoIds(this.deps.warehouse, { storeIds: [], from: addDays(this.today(), -(days - 1)), limit: MAX_PHOTOS_PER_JOB });
    const job: RecognitionJob = {
      job_id: randomUUID(),
      sku: request.sku,
      reason: `${request.packs.length} packs named ${request.sku}`,
      created_by: by,
      created_at: new Date().toISOString(),
      photo_ids: photoIds,
      done: 0,
      failed: [],
      status: 'running',
      finished_at: null,
    };
    await saveRecognitionJob(this.deps.warehouse, job);
    this.wake();
    return { references, job: view(job) };
  }

  async job(jobId: string): Promise<RecognitionJobView | undefined> {
    const job = await recognitionJob(this.deps.warehouse, jobId);
    return job && view(job);
  }

  /** Runs the jobs not finished yet (those a restart interrupted too), one photo at a time, in the background. */
  wake(): void {
    if (this.stopped) return;
    this.running ??= this.runJobs()
      .catch((err: Error) => this.deps.logger.error({ err }, 'recognising photos again failed; the job resumes on the next naming or restart'))
      .finally(() => (this.running = undefined));
  }

  /** Stops after the photo in hand; a job left unfinished resumes at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async runJobs(): Promise<void> {
    for (
      let jobs = await runningRecognitionJobs(this.deps.warehouse);
      jobs.length > 0 && !this.stopped;
      jobs = await runningRecognitionJobs(this.deps.warehouse)
    ) {
      for (const job of jobs) await this.run(job);
    }
  }

  private async run(job: RecognitionJob): Promise<void> {
    const { intake, warehouse, logger } = this.deps;
    while (job.done < job.photo_ids.length) {
      if (this.stopped) return;
      const photoId = job.photo_ids[job.done]!;
      const recognised = await intake.recogniseAgain(photoId);
      job = { ...job, done: job.done + 1, failed: recognised ? job.failed : [...job.failed, photoId] };
      // Progress is saved every few photos and at the end: a restart repeats at most those (the same rows again).
      if (job.done % 5 === 0 || job.done === job.photo_ids.length) await saveRecognitionJob(warehouse, job);
    }
    // The last closed day again: its shelf figures and vision alerts now count the packs named.
    await this.deps.alertService.closeDay(previousDay(this.today()));
    job = { ...job, status: 'finished', finished_at: new Date().toISOString() };
    await saveRecognitionJob(warehouse, job);
    logger.info({ job: job.job_id, sku: job.sku, photos: job.photo_ids.length, failed: job.failed.length }, 'photos recognised again');
  }
}

function mostCommon(texts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const text of texts) if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** Up to `n` packs, from as many different photos as there are (different light and angles make better references). */
function pickVaried<T extends { photo_id: string }>(packs: readonly T[], n: number): T[] {
  const picked: T[] = [];
  const photos = new Set<string>();
  for (const pack of packs) if (picked.length < n && !photos.has(pack.photo_id) && photos.add(pack.photo_id)) picked.push(pack);
  for (const pack of packs) if (picked.length < n && !picked.includes(pack)) picked.push(pack);
  return picked;
}
