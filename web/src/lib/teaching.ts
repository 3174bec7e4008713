import { api } from './api';
import { pause } from './photos';
import type { Me } from './session.svelte';
import type { RecognitionJob, UnknownPack } from './types';

/**
 * Whether the signed-in user is shown the controls that assign a SKU to unknown packs: the server says so in the
 * session (admins and category managers, merchandisers where the admin allows it), by the same rule its naming route
 * enforces.
 */
export const canTeach = (me: Pick<Me, 'may_teach'> | null | undefined): boolean => me?.may_teach === true;

/** One pack on one photo: a group can hold several packs of the same photo, told apart by their boxes. */
export const packKey = (pack: Pick<UnknownPack, 'photo_id' | 'bbox'>): string => `${pack.photo_id}/${pack.bbox.join(',')}`;

const round = (value: number) => Number(value.toFixed(3));

/**
 * The CSS that shows only a pack's box of its photo, as the background of an element of the box's aspect ratio, at
 * any size: percentages of the element, so one answer serves a phone and a desktop. A box reaching past the image is
 * cut to it (a detector's box may overhang the edge by a pixel or two).
 */
export function packCrop(bbox: readonly [number, number, number, number], image: { width: number; height: number }) {
  const left = Math.min(Math.max(bbox[0], 0), image.width - 1);
  const top = Math.min(Math.max(bbox[1], 0), image.height - 1);
  const width = Math.max(1, Math.min(bbox[0] + bbox[2], image.width) - left);
  const height = Math.max(1, Math.min(bbox[1] + bbox[3], image.height) - top);
  // background-position p% puts the image's p% point on the element's p% point: p = offset / (image - box).
  const position = (offset: number, box: number, whole: number) => (whole > box ? round((offset / (whole - box)) * 100) : 0);
  return {
    size: `${round((image.width / width) * 100)}% ${round((image.height / height) * 100)}%`,
    position: `${position(left, width, image.width)}% ${position(top, height, image.height)}%`,
    aspectRatio: `${width} / ${height}`,
  };
}

/** The re-recognition is asked after every second; this many failed asks in a row and the page stops asking. */
const JOB_POLL_MS = 1000;
const JOB_POLL_FAILURES = 10;

/**
 * Follows a re-recognition job until it finished, handing each answer to onProgress: the finished job, or null when
 * the page was left. A failed ask (the phone offline for a moment) is asked again; ten in a row throw the last one.
 */
export async function followJob(jobId: string, onProgress: (job: RecognitionJob) => void, signal: AbortSignal): Promise<RecognitionJob | null> {
  let failures = 0;
  for (;;) {
    await pause(JOB_POLL_MS, signal);
    if (signal.aborted) return null;
    try {
      const job = await api<RecognitionJob>(`/v1/recognition-jobs/${encodeURIComponent(jobId)}`, { signal });
      failures = 0;
      onProgress(job);
      if (job.status === 'finished') return job;
    } catch (failure) {
      if (signal.aborted) return null;
      if (++failures >= JOB_POLL_FAILURES) throw failure;
    }
  }
}
