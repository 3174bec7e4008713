import type { Logger } from 'pino';
import { UnreadableImageError } from '../../vision/image.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import type { PhotoIntake } from '../photo-intake.ts';
import { PhotoRecord } from '../../contracts/records.ts';
import { recordCheck } from '../validate.ts';
import { deadLetterFor } from '../dead-letters.ts';
import { VISION_GROUP } from '../log/topics.ts';

const checkPhoto = recordCheck(PhotoRecord);

/**
 * The vision worker (distributed shape): ingest stores the original and publishes a photo record to `photos`;
 * this worker has the photo intake read the original back from the shared photo files, analyse it and record the
 * result, so that GET /v1/photos/:id goes from `pending` to `analyzed` (or `retake`). A record delivered again after
 * its photo was analysed is skipped; one that cannot be analysed goes to dead-letter with the reason.
 */
export async function startVisionWorker(log: EventLog, intake: PhotoIntake, logger: Logger): Promise<Subscription> {
  return log.subscribe(
    VISION_GROUP,
    ['photos'],
    async (_topic, records) => {
      const deadLetters = [];
      for (const record of records) {
        const checked = checkPhoto(record.value);
        if (!checked.ok) {
          deadLetters.push(deadLetterFor(record, checked.error));
          continue;
        }
        const photo = checked.value;
        try {
          const analysis = await intake.analyseQueued(photo);
          if (analysis === 'original_missing') deadLetters.push(deadLetterFor(record, `photo ${photo.photo_id} is not in the photo store`));
          else if (analysis !== 'already_analysed')
            logger.debug({ photo_id: photo.photo_id, status: analysis.status, ms: analysis.timings_ms.total }, 'photo analysed');
        } catch (err) {
          if (!(err instanceof UnreadableImageError)) throw err; // e.g. the warehouse is down: the batch comes again
          deadLetters.push(deadLetterFor(record, err.message));
        }
      }
      if (deadLetters.length > 0) {
        await log.publish(
          'dead-letter',
          deadLetters.map((d) => ({ key: d.topic, value: d })),
        );
        logger.warn({ count: deadLetters.length, first: deadLetters[0]!.reason }, 'photos sent to dead-letter');
      }
    },
    // A photo takes about a second: small batches keep the committed offset close behind the work.
    { maxBatch: 4 },
  );
}
