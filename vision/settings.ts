import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whose pack text is read: packs whose look alone does not decide (a bay of known packs costs little OCR), all of
 * them (a look-alike of a known pack is caught by its text), or none.
 */
export const PACK_TEXT_POLICIES = ['unsure', 'all', 'off'] as const;
export type PackTextPolicy = (typeof PACK_TEXT_POLICIES)[number];

/** The bundled detector; a customer's own export is another folder with model.onnx + manifest.json. */
export const DEFAULT_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/shelf-detector');

/** Detector score below which a box is dropped, unless configured otherwise. */
export const DEFAULT_MIN_SCORE = 0.6;

/** How the configured analysis runs; read once from the configuration (pipelines/config.ts) and handed down. */
export interface VisionSettings {
  /** The detector folder (model.onnx + manifest.json); without model.onnx photos get the quality gate only. */
  modelDir: string;
  /** onnxruntime threads for one photo's models. */
  threads: number;
  minScore: number;
  packText: PackTextPolicy;
}

/**
 * The settings when none is configured. Photos are analysed one at a time, so one photo may take two cores: its
 * answer comes sooner, at a little throughput.
 */
export function defaultVisionSettings(): VisionSettings {
  return { modelDir: DEFAULT_MODEL_DIR, threads: Math.min(2, os.availableParallelism()), minScore: DEFAULT_MIN_SCORE, packText: 'unsure' };
}
